/**
 * A fresh clientId (a random UUID v4) for a send. `crypto.randomUUID` exists only in
 * secure contexts (https, localhost); a team that opens natter at a plain-http LAN
 * address (`http://192.168.1.20:3000`) has `crypto.getRandomValues` alone, which is
 * as random.
 */
export function newClientId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
