import { useId, useState } from 'react';
import { Button } from '../../../components/ui/Button';
import { SwitchRow } from '../../../components/ui/SwitchRow';
import type { Settings, SettingsPatch, UnreadMailAfterMinutes } from '../../../lib/wire';
import type { Permission } from '../model/alerts';
import { disableDesktopNotifications, enableDesktopNotifications } from '../hooks/enableDesktop';
import { useNotificationPermission } from '../hooks/permission';
import { usePushStatus, type PushStatus } from '../hooks/pushSubscription';

export const UNREAD_MAIL_CHOICES: ReadonlyArray<{ value: UnreadMailAfterMinutes; label: string }> = [
  { value: null, label: 'Off' },
  { value: 5, label: '5 min' },
  { value: 15, label: '15 min' },
  { value: 60, label: '1 hour' },
];

export interface NotificationSettingsProps {
  settings: Settings | undefined;
  /** Saves a change; rejects when the server refused it. */
  save: (patch: SettingsPatch) => Promise<unknown>;
  onError: (message: string) => void;
}

/** Sound, desktop notifications (with the browser's permission and this device's push), and unread mail. */
export function NotificationSettings({ settings, save, onError }: NotificationSettingsProps) {
  const permission = useNotificationPermission();
  const push = usePushStatus();
  const [saving, setSaving] = useState(false);
  const run = (work: () => Promise<unknown>) => {
    setSaving(true);
    void work()
      .catch(() => onError('Could not save the setting.'))
      .finally(() => setSaving(false));
  };
  const saveDesktop = (on: boolean) => save({ desktop: on });
  const disabled = !settings || saving;

  return (
    <div className="space-y-6" data-testid="notification-settings">
      <SwitchRow
        label="Sound"
        hint="A soft chime when a message arrives in a chat you are not looking at."
        checked={settings?.sound ?? false}
        disabled={disabled}
        onChange={(on) => run(() => save({ sound: on }))}
        testId="setting-sound"
      />
      <SwitchRow
        label="Desktop notifications"
        hint="A notification for each new message while natter is in the background."
        checked={settings?.desktop ?? false}
        disabled={disabled}
        onChange={(on) => run(() => (on ? enableDesktopNotifications(saveDesktop) : disableDesktopNotifications(saveDesktop)))}
        testId="setting-desktop"
      >
        <DesktopStatus
          permission={permission}
          push={push}
          desktop={settings?.desktop ?? false}
          onEnable={() => run(() => enableDesktopNotifications(saveDesktop))}
          busy={saving}
        />
      </SwitchRow>
      <UnreadMailChoice settings={settings} disabled={disabled} onChange={(value) => run(() => save({ unreadMailAfterMinutes: value }))} />
    </div>
  );
}

function DesktopStatus({
  permission,
  push,
  desktop,
  onEnable,
  busy,
}: {
  permission: Permission;
  push: PushStatus;
  desktop: boolean;
  onEnable: () => void;
  busy: boolean;
}) {
  const line = (text: string, tone: 'ok' | 'warn' | 'plain' = 'plain') => (
    <p
      data-testid="permission-state"
      data-permission={permission}
      className={`mt-2 text-xs ${tone === 'ok' ? 'text-green-300' : tone === 'warn' ? 'text-amber-200' : 'text-gray-300'}`}
    >
      {text}
    </p>
  );
  if (permission === 'unsupported') return line('This browser cannot show notifications.', 'warn');
  if (permission === 'denied') {
    return line('Blocked for this site in your browser: allow notifications in its site settings to get them.', 'warn');
  }
  if (permission === 'default') {
    return (
      <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-2">
        {line('Your browser has not allowed natter to notify you yet.')}
        <Button variant="secondary" onClick={onEnable} loading={busy} className="px-3" data-testid="enable-notifications">
          Enable
        </Button>
      </div>
    );
  }
  return (
    <>
      {line('Allowed in this browser.', 'ok')}
      {desktop && <PushNote push={push} />}
    </>
  );
}

function PushNote({ push }: { push: PushStatus }) {
  const text =
    push.state === 'on'
      ? 'This device also gets them while natter is closed.'
      : push.state === 'working'
        ? 'Setting up notifications for when natter is closed…'
        : push.state === 'failed'
          ? `${push.reason} You still get notifications while natter is open in a tab.`
          : push.state === 'unsupported'
            ? 'This browser cannot receive push: you get notifications while natter is open in a tab.'
            : null;
  if (!text) return null;
  return (
    <p data-testid="push-state" data-state={push.state} className="mt-1 text-xs text-gray-400">
      {text}
    </p>
  );
}

function UnreadMailChoice({
  settings,
  disabled,
  onChange,
}: {
  settings: Settings | undefined;
  disabled: boolean;
  onChange: (value: UnreadMailAfterMinutes) => void;
}) {
  const id = useId();
  // Until the settings are read, nothing is checked and nothing can be changed.
  const supported = settings !== undefined;
  const current = settings?.unreadMailAfterMinutes ?? null;
  return (
    <fieldset aria-describedby={`${id}-hint`} disabled={disabled || !supported} data-testid="setting-unread-mail">
      <legend className="text-sm font-medium text-gray-200">Email me about unread messages after</legend>
      <p id={`${id}-hint`} className="mt-1 text-xs text-gray-400">
        One mail listing the chats you have not read, at most once an hour, never while you are reading.
      </p>
      <div className="mt-3 grid grid-cols-4 gap-1 rounded-xl bg-gray-900/60 p-1">
        {UNREAD_MAIL_CHOICES.map((choice) => (
          <label key={choice.label} className="relative">
            <input
              type="radio"
              name={`${id}-unread-mail`}
              value={choice.value ?? 'off'}
              checked={supported && current === choice.value}
              onChange={() => onChange(choice.value)}
              className="peer absolute inset-0 cursor-pointer opacity-0 disabled:cursor-not-allowed"
            />
            <span className="flex min-h-11 items-center justify-center rounded-lg text-sm text-gray-300 transition-colors peer-checked:bg-blue-600 peer-checked:font-medium peer-checked:text-white peer-hover:text-white peer-focus-visible:outline-2 peer-focus-visible:outline-blue-400 peer-disabled:opacity-60">
              {choice.label}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
