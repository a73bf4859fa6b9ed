import { api, ApiError } from '../../../lib/api';
import type { MessageOnlyResponse, User, VerifyResponse } from '../../../lib/wire';

export function requestCode(email: string): Promise<MessageOnlyResponse> {
  return api.post<MessageOnlyResponse>('/login', { email });
}

/** The server sets the HttpOnly session cookie; the `token` in the answer is deliberately dropped. */
export async function verifyCode(email: string, otp: string): Promise<User> {
  const { user } = await api.post<VerifyResponse>('/verify', { email, otp });
  return user;
}

export function logout(): Promise<void> {
  return api.post<void>('/logout');
}

/** The logged-in user, or null when there is no valid session (401). */
export async function fetchMe(): Promise<User | null> {
  try {
    return await api.get<User>('/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}
