import { Link } from 'react-router';
import { ArrowLeft } from 'lucide-react';
import { useToast } from '../components/ui/Toast';
import { NotificationSettings } from '../features/notifications/components/NotificationSettings';
import { LastSeenToggle } from '../features/profile/components/LastSeenToggle';
import { useSettings, useUpdateSettings } from '../features/profile/hooks/useSettings';

/** `/settings`: notifications and privacy, reached from the profile. */
export function SettingsRoute() {
  const settings = useSettings();
  const update = useUpdateSettings();
  const toast = useToast();
  const onError = (message: string) => toast.show(message);
  return (
    <main className="flex min-h-full items-start justify-center px-4 py-8 sm:items-center">
      <div className="w-full max-w-md">
        <Link to="/profile" className="mb-4 inline-flex min-h-11 items-center gap-2 rounded-xl px-2 text-sm text-gray-300 hover:text-white">
          <ArrowLeft size={18} aria-hidden="true" /> Back to profile
        </Link>
        <section className="glass rounded-2xl p-6 shadow-2xl shadow-black/40 sm:p-8">
          <h1 className="text-xl font-semibold text-white">Settings</h1>
          <div className="mt-6">
            <h2 className="mb-4 text-sm font-semibold tracking-wide text-gray-300 uppercase">Notifications</h2>
            <NotificationSettings settings={settings.data} save={(patch) => update.mutateAsync(patch)} onError={onError} />
          </div>
          <div className="mt-8 border-t border-white/10 pt-6">
            <h2 className="mb-4 text-sm font-semibold tracking-wide text-gray-300 uppercase">Privacy</h2>
            <LastSeenToggle onError={onError} />
          </div>
        </section>
      </div>
    </main>
  );
}
