/** What a window shows, as the service worker asks before it shows a push. */
export interface Viewing {
  chatId: string | null;
  visible: boolean;
}

/** The chat a path opens (`/chat/:id`), if any, and whether the page is on screen. */
export function viewingOf(path: string, visibility: DocumentVisibilityState): Viewing {
  const encoded = path.match(/^\/chat\/([^/]+)$/)?.[1];
  let chatId: string | null = null;
  if (encoded) {
    try {
      chatId = decodeURIComponent(encoded);
    } catch {
      chatId = null;
    }
  }
  return { chatId, visible: visibility === 'visible' };
}
