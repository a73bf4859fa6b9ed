/**
 * The favicon with a red badge carrying the unread count (`9+` above nine), drawn from
 * `public/favicon.svg`'s shapes, as a data URL; the plain file at zero.
 */
export const PLAIN_FAVICON = '/favicon.svg';

const BASE =
  '<rect width="64" height="64" rx="16" fill="#2563eb"/>' +
  '<path d="M18 20h28a6 6 0 0 1 6 6v12a6 6 0 0 1-6 6H30l-9 7v-7h-3a6 6 0 0 1-6-6V26a6 6 0 0 1 6-6z" fill="#fff"/>' +
  '<circle cx="25" cy="32" r="3" fill="#2563eb"/><circle cx="32" cy="32" r="3" fill="#2563eb"/><circle cx="39" cy="32" r="3" fill="#2563eb"/>';

export function badgeLabel(count: number): string {
  return count > 9 ? '9+' : String(count);
}

export function badgedFaviconSvg(count: number): string {
  const label = badgeLabel(count);
  const fontSize = label.length > 1 ? 22 : 28;
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">' +
    BASE +
    '<circle cx="46" cy="18" r="18" fill="#dc2626" stroke="#111827" stroke-width="3"/>' +
    `<text x="46" y="18" dy="0.35em" text-anchor="middle" font-family="Arial, Helvetica, sans-serif" font-weight="700" font-size="${fontSize}" fill="#fff">${label}</text>` +
    '</svg>'
  );
}

export function faviconHref(count: number): string {
  return count > 0 ? `data:image/svg+xml,${encodeURIComponent(badgedFaviconSvg(count))}` : PLAIN_FAVICON;
}
