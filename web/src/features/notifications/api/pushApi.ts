import { api, apiRequest } from '../../../lib/api';
import type { PushKeyResponse, PushSubscriptionRequest, PushUnsubscribeRequest } from '../../../lib/wire';

export const fetchPushKey = () => api.get<PushKeyResponse>('/push/key');
/** One per device: the server replaces an earlier one with the same endpoint. */
export const savePushSubscription = (subscription: PushSubscriptionRequest) => api.post<void>('/push/subscriptions', subscription);
export const deletePushSubscription = (body: PushUnsubscribeRequest) =>
  apiRequest<void>('/push/subscriptions', { method: 'DELETE', body });
