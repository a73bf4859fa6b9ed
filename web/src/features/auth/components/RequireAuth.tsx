import type { ReactNode } from 'react';
import { Navigate } from 'react-router';
import type { User } from '../../../lib/wire';
import { Button } from '../../../components/ui/Button';
import { Spinner } from '../../../components/ui/Spinner';
import { useMe } from '../hooks/useMe';

/** Renders `children(me)` for a logged-in user; a 401 from /me sends the visitor to /login. */
export function RequireAuth({ children }: { children: (me: User) => ReactNode }) {
  const me = useMe();
  if (me.isPending) {
    return (
      <div className="flex h-full items-center justify-center text-blue-400">
        <Spinner label="Loading natter" />
      </div>
    );
  }
  if (me.isError) {
    return (
      <div role="alert" className="flex h-full flex-col items-center justify-center gap-4 text-gray-200">
        <p>Cannot reach the server.</p>
        <Button onClick={() => void me.refetch()}>Try again</Button>
      </div>
    );
  }
  if (!me.data) return <Navigate to="/login" replace />;
  return <>{children(me.data)}</>;
}

/** The inverse: the login and verify screens send a logged-in user straight to the chats. */
export function RedirectIfAuthed({ children }: { children: ReactNode }) {
  const me = useMe();
  if (me.data) return <Navigate to="/chat" replace />;
  return <>{children}</>;
}
