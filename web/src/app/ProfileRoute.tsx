import { useLogout } from '../features/auth/hooks/useLogout';
import { disablePush } from '../features/notifications/hooks/pushSubscription';
import { ProfileScreen } from '../features/profile/components/ProfileScreen';
import { useSession } from './AuthedShell';

export function ProfileRoute() {
  const { me } = useSession();
  const logout = useLogout();
  // This device's push subscription goes first: deleting it needs the session.
  const logOut = () => void disablePush().finally(() => logout.mutate());
  return <ProfileScreen me={me} onLogout={logOut} loggingOut={logout.isPending} />;
}
