import { useLogout } from '../features/auth/hooks/useLogout';
import { ProfileScreen } from '../features/profile/components/ProfileScreen';
import { useSession } from './AuthedShell';

export function ProfileRoute() {
  const { me } = useSession();
  const logout = useLogout();
  return <ProfileScreen me={me} onLogout={() => logout.mutate()} loggingOut={logout.isPending} />;
}
