import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Settings } from '../../../lib/wire';
import { renderAt } from '../../../test/render';
import { NotificationSettings } from './NotificationSettings';

const SETTINGS: Settings = { showLastSeen: true, sound: true, desktop: true, unreadMailAfterMinutes: 15 };

function stubNotification(initial: NotificationPermission, answer: NotificationPermission = 'granted') {
  const fake = { permission: initial, requestPermission: vi.fn(async () => (fake.permission = answer)) };
  vi.stubGlobal('Notification', fake);
  return fake;
}

function renderSettings(settings: Settings | undefined = SETTINGS) {
  const save = vi.fn(async (_patch: unknown) => undefined);
  const onError = vi.fn();
  renderAt(<NotificationSettings settings={settings} save={save} onError={onError} />);
  return { save, onError };
}

describe('NotificationSettings', () => {
  it('shows the saved settings', () => {
    stubNotification('granted');
    renderSettings();
    expect(screen.getByRole('switch', { name: 'Sound' })).toBeChecked();
    expect(screen.getByRole('switch', { name: 'Desktop notifications' })).toBeChecked();
    expect(screen.getByRole('radio', { name: '15 min' })).toBeChecked();
    expect(screen.getByTestId('permission-state')).toHaveTextContent('Allowed in this browser.');
  });

  it('saves each change on its own', async () => {
    stubNotification('granted');
    const { save } = renderSettings();
    await userEvent.click(screen.getByRole('switch', { name: 'Sound' }));
    expect(save).toHaveBeenLastCalledWith({ sound: false });
    await userEvent.click(screen.getByRole('radio', { name: 'Off' }));
    await waitFor(() => expect(save).toHaveBeenLastCalledWith({ unreadMailAfterMinutes: null }));
    await userEvent.click(screen.getByRole('radio', { name: '1 hour' }));
    await waitFor(() => expect(save).toHaveBeenLastCalledWith({ unreadMailAfterMinutes: 60 }));
  });

  it('asks the browser only when Enable is clicked, then saves desktop on', async () => {
    const fake = stubNotification('default');
    const { save } = renderSettings({ ...SETTINGS, desktop: false });
    expect(fake.requestPermission).not.toHaveBeenCalled();
    expect(screen.getByTestId('permission-state')).toHaveTextContent('has not allowed');
    await userEvent.click(screen.getByRole('button', { name: 'Enable' }));
    expect(fake.requestPermission).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(save).toHaveBeenCalledWith({ desktop: true }));
    await waitFor(() => expect(screen.getByTestId('permission-state')).toHaveTextContent('Allowed in this browser.'));
  });

  it('turns desktop notifications off without asking the browser', async () => {
    const fake = stubNotification('granted');
    const { save } = renderSettings();
    await userEvent.click(screen.getByRole('switch', { name: 'Desktop notifications' }));
    await waitFor(() => expect(save).toHaveBeenCalledWith({ desktop: false }));
    expect(fake.requestPermission).not.toHaveBeenCalled();
  });

  it('says how to unblock when the browser denied it', () => {
    stubNotification('denied');
    renderSettings();
    expect(screen.getByTestId('permission-state')).toHaveTextContent('Blocked for this site');
    expect(screen.queryByRole('button', { name: 'Enable' })).not.toBeInTheDocument();
  });

  it('shows a refused save as an error', async () => {
    stubNotification('granted');
    const onError = vi.fn();
    renderAt(<NotificationSettings settings={SETTINGS} save={() => Promise.reject(new Error('500'))} onError={onError} />);
    await userEvent.click(screen.getByRole('switch', { name: 'Sound' }));
    await waitFor(() => expect(onError).toHaveBeenCalledWith('Could not save the setting.'));
  });
});
