import { api } from '../../../lib/api';
import type { UpdateUserResponse, User } from '../../../lib/wire';

export async function updateName(name: string): Promise<User> {
  const { user } = await api.post<UpdateUserResponse>('/update/user', { name });
  return user;
}
