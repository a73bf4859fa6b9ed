import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { Mail } from 'lucide-react';
import { Button } from '../../../components/ui/Button';
import { ApiError } from '../../../lib/api';
import { requestCode } from '../api/authApi';
import { AuthLayout } from './AuthLayout';

export function LoginScreen() {
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const login = useMutation({
    mutationFn: requestCode,
    onSuccess: (_data, sent) => navigate(`/verify?email=${encodeURIComponent(sent)}`),
    onError: (e) => setError(e instanceof ApiError ? (e.fields?.email ?? e.message) : 'Something went wrong.'),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    login.mutate(email.trim().toLowerCase());
  };

  return (
    <AuthLayout title="Sign in" subtitle="We'll email you a 6-digit code. No password needed.">
      <form onSubmit={submit} noValidate className="space-y-4">
        <div>
          <label htmlFor="login-email" className="mb-1.5 block text-sm font-medium text-gray-200">
            Email address
          </label>
          <div className="relative">
            <Mail size={18} aria-hidden="true" className="pointer-events-none absolute top-1/2 left-3 -translate-y-1/2 text-gray-400" />
            <input
              id="login-email"
              type="email"
              autoComplete="email"
              inputMode="email"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'login-error' : undefined}
              placeholder="you@example.com"
              className="min-h-11 w-full rounded-xl border border-white/10 bg-gray-900/70 py-2.5 pr-3 pl-10 text-gray-100 placeholder:text-gray-400 focus:border-blue-500 focus:outline-none focus-visible:outline-2 focus-visible:outline-blue-400"
            />
          </div>
          {error && (
            <p id="login-error" role="alert" className="mt-2 text-sm text-red-300">
              {error}
            </p>
          )}
        </div>
        <Button type="submit" className="w-full" loading={login.isPending} disabled={!email.trim()}>
          Send code
        </Button>
      </form>
    </AuthLayout>
  );
}
