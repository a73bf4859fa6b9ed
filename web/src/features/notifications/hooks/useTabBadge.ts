import { useEffect } from 'react';
import { faviconHref, PLAIN_FAVICON } from '../model/favicon';
import { titleFor } from '../model/unread';

function setFavicon(href: string) {
  let link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (!link) {
    link = document.createElement('link');
    link.rel = 'icon';
    document.head.appendChild(link);
  }
  if (link.getAttribute('href') === href) return;
  link.type = 'image/svg+xml';
  link.href = href;
}

/** The unread count in the tab's title (`(3) natter`) and as a badge on its favicon. */
export function useTabBadge(unread: number): void {
  useEffect(() => {
    document.title = titleFor(unread);
    setFavicon(faviconHref(unread));
  }, [unread]);
  useEffect(
    () => () => {
      document.title = titleFor(0);
      setFavicon(PLAIN_FAVICON);
    },
    [],
  );
}
