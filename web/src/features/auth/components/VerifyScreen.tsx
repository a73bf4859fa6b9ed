import { useEffect, useRef, useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from '../../../components/ui/Button';
import { Spinner } from '../../../components/ui/Spinner';
import { useToast } from '../../../components/ui/Toast';
import { ApiError } from '../../../lib/api';
import { queryKeys } from '../../../lib/queryKeys';
import { requestCode, verifyCode } from '../api/authApi';
import { useCountdown } from '../hooks/useCountdown';
import { AuthLayout } from './AuthLayout';
import { CODE_LENGTH, CodeInput } from './CodeInput';

/** The server allows one code mail per address per 60 s. */
export const RESEND_AFTER_SECONDS = 60;

const empty = () => Array.from({ length: CODE_LENGTH }, () => '');
const messageOf = (e: unknown) => (e instanceof ApiError ? e.message : 'Something went wrong. Try again.');

/** A development server (the console mailer) keeps its mail at /dev/mailbox: true when /dev/mailbox.json answers 200. */
async function hasDevMailbox(): Promise<boolean> {
  try {
    const res = await fetch('/dev/mailbox.json', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    return res.ok;
  } catch {
    return false;
  }
}

export function VerifyScreen() {
  const [params] = useSearchParams();
  const email = params.get('email') ?? '';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [digits, setDigits] = useState<string[]>(empty);
  const [error, setError] = useState<string | null>(null);
  const { left, restart } = useCountdown(RESEND_AFTER_SECONDS);
  const lastSubmitted = useRef<string | null>(null);
  const devMailbox = useQuery({ queryKey: ['dev-mailbox'], queryFn: hasDevMailbox, staleTime: Infinity, retry: false });

  const verify = useMutation({
    mutationFn: (otp: string) => verifyCode(email, otp),
    onSuccess: (user) => {
      queryClient.setQueryData(queryKeys.me, user);
      navigate('/chat', { replace: true });
    },
    onError: (e) => {
      setError(messageOf(e));
      setDigits(empty());
      lastSubmitted.current = null;
    },
  });

  const resend = useMutation({
    mutationFn: () => requestCode(email),
    onSuccess: () => {
      restart();
      setError(null);
      toast.show(`A new code is on its way to ${email}.`, 'info');
    },
    onError: (e) => setError(messageOf(e)),
  });

  // Auto-submit once all six digits are in (typed, pasted or autofilled); once per code.
  const code = digits.join('');
  useEffect(() => {
    if (code.length === CODE_LENGTH && !verify.isPending && lastSubmitted.current !== code) {
      lastSubmitted.current = code;
      setError(null);
      verify.mutate(code);
    }
  }, [code, verify]);

  if (!email) return <Navigate to="/login" replace />;

  return (
    <AuthLayout
      title="Check your email"
      subtitle={
        <>
          Enter the 6-digit code we sent to <strong className="font-medium text-gray-100">{email}</strong>.
        </>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (code.length === CODE_LENGTH) verify.mutate(code);
        }}
        className="space-y-4"
      >
        <CodeInput
          digits={digits}
          onChange={setDigits}
          disabled={verify.isPending}
          invalid={Boolean(error)}
          describedBy={error ? 'verify-error' : undefined}
        />
        <div className="min-h-6" aria-live="polite">
          {verify.isPending && <Spinner size="sm" label="Checking code" />}
          {error && (
            <p id="verify-error" role="alert" className="text-sm text-red-300">
              {error}
            </p>
          )}
        </div>
        {devMailbox.data && (
          <p data-testid="dev-mailbox" className="rounded-lg border border-blue-400/30 bg-blue-950 px-3 py-2 text-sm text-blue-50">
            Development server: your code is at{' '}
            <a href="/dev/mailbox" target="_blank" rel="noopener noreferrer" className="font-medium text-blue-200 underline">
              /dev/mailbox
            </a>
          </p>
        )}
        <div className="flex items-center justify-between gap-2">
          <Button variant="ghost" onClick={() => navigate('/login')}>
            Change email
          </Button>
          <Button variant="secondary" onClick={() => resend.mutate()} disabled={left > 0} loading={resend.isPending}>
            {left > 0 ? `Resend code in ${left}s` : 'Resend code'}
          </Button>
        </div>
      </form>
    </AuthLayout>
  );
}
