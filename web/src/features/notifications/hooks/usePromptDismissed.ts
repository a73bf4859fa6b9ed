import { useCallback, useState } from 'react';

const KEY = 'natter.notificationPrompt.dismissed';

/** Whether the person closed the "Get notified" banner on this device (kept across reloads). */
export function usePromptDismissed(): [boolean, () => void] {
  const [dismissed, setDismissed] = useState(() => {
    try {
      return localStorage.getItem(KEY) === '1';
    } catch {
      return false;
    }
  });
  const dismiss = useCallback(() => {
    setDismissed(true);
    try {
      localStorage.setItem(KEY, '1');
    } catch {
      // Private mode without storage: dismissed for this page only.
    }
  }, []);
  return [dismissed, dismiss];
}
