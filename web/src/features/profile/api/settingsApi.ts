import { api } from '../../../lib/api';
import type { Settings, SettingsPatch } from '../../../lib/wire';

export const fetchSettings = () => api.get<Settings>('/me/settings');
export const updateSettings = (patch: SettingsPatch) => api.patch<Settings>('/me/settings', patch);
