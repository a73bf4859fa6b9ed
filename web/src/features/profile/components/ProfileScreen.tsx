import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ArrowLeft, Bell, ChevronRight, LogOut } from 'lucide-react';
import { Avatar } from '../../../components/ui/Avatar';
import { Button } from '../../../components/ui/Button';
import { useToast } from '../../../components/ui/Toast';
import { ApiError } from '../../../lib/api';
import type { User } from '../../../lib/wire';
import { useUpdateName } from '../hooks/useUpdateName';

export const NAME_MAX = 50;

export function ProfileScreen({ me, onLogout, loggingOut }: { me: User; onLogout: () => void; loggingOut: boolean }) {
  const [name, setName] = useState(me.name);
  const [error, setError] = useState<string | null>(null);
  const update = useUpdateName();
  const toast = useToast();
  const nameId = useId();
  const trimmed = name.trim();
  const valid = trimmed.length >= 1 && trimmed.length <= NAME_MAX;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return setError(`Your name must be 1–${NAME_MAX} characters.`);
    setError(null);
    update.mutate(trimmed, {
      onSuccess: () => toast.show('Name saved.', 'info'),
      onError: (err) => setError(err instanceof ApiError ? (err.fields?.name ?? err.message) : 'Could not save your name.'),
    });
  };

  return (
    <main className="flex min-h-full items-start justify-center px-4 py-8 sm:items-center">
      <div className="w-full max-w-md">
        <Link to="/chat" className="mb-4 inline-flex min-h-11 items-center gap-2 rounded-xl px-2 text-sm text-gray-300 hover:text-white">
          <ArrowLeft size={18} aria-hidden="true" /> Back to chats
        </Link>
        <section className="glass rounded-2xl p-6 shadow-2xl shadow-black/40 sm:p-8">
          <div className="flex items-center gap-4">
            <Avatar name={me.name} seed={me._id} size="lg" />
            <div className="min-w-0">
              <h1 className="truncate text-xl font-semibold text-white">{me.name}</h1>
              <p className="truncate text-sm text-gray-300" data-testid="profile-email">
                {me.email}
              </p>
            </div>
          </div>

          <form onSubmit={submit} className="mt-8 space-y-3" noValidate>
            <label htmlFor={nameId} className="block text-sm font-medium text-gray-200">
              Display name
            </label>
            <input
              id={nameId}
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={NAME_MAX + 10}
              autoComplete="nickname"
              aria-invalid={error ? true : undefined}
              aria-describedby={`${nameId}-hint`}
              className="min-h-11 w-full rounded-xl border border-white/10 bg-gray-900/70 px-3.5 py-2.5 text-gray-100 focus:border-blue-500 focus:outline-none focus-visible:outline-2 focus-visible:outline-blue-400"
            />
            <p id={`${nameId}-hint`} className={`text-xs ${error ? 'text-red-300' : 'text-gray-400'}`} role={error ? 'alert' : undefined}>
              {error ?? `${trimmed.length}/${NAME_MAX} characters`}
            </p>
            <Button type="submit" loading={update.isPending} disabled={!valid || trimmed === me.name}>
              Save name
            </Button>
          </form>

          <div className="mt-8 border-t border-white/10 pt-6">
            <Link
              to="/settings"
              data-testid="settings-link"
              className="flex min-h-11 items-center gap-3 rounded-xl px-3 py-2.5 text-sm text-gray-100 hover:bg-white/5"
            >
              <Bell size={18} aria-hidden="true" className="text-gray-300" />
              <span className="flex-1">
                <span className="block font-medium">Notifications and privacy</span>
                <span className="block text-xs text-gray-400">Sound, desktop notifications, unread mail, last seen</span>
              </span>
              <ChevronRight size={18} aria-hidden="true" className="text-gray-400" />
            </Link>
          </div>

          <div className="mt-8 border-t border-white/10 pt-6">
            <Button variant="secondary" onClick={onLogout} loading={loggingOut} className="w-full">
              <LogOut size={18} aria-hidden="true" /> Log out
            </Button>
          </div>
        </section>
      </div>
    </main>
  );
}
