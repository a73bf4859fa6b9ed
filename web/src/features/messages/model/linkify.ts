/**
 * Finds web addresses in message text. Only `http://`, `https://` and `www.` starts
 * become links (a `www.` one gets `https://`); anything else (`javascript:`,
 * `data:`, `file:`) stays text, and every href is parsed once more and must come out
 * http(s). Trailing punctuation a sentence puts after a URL is left out of it, and a
 * closing parenthesis only belongs to the URL when it opened one.
 */

export type TextRun = { text: string; href?: undefined } | { text: string; href: string };

// A start at a word boundary (not in the middle of "xhttp://" or "foo.www."), then
// everything up to whitespace or a character no URL has unescaped.
const CANDIDATE = /(?<![\p{L}\p{N}_.@/-])(?:https?:\/\/|www\.)[^\s<>"'`\u0000-\u001f\u007f]+/giu;
const TRAILING = /[.,;:!?'"*_~]+$/;

/** The href a candidate may get, or null when it is not a safe web address. */
export function safeHref(candidate: string): string | null {
  const raw = /^www\./i.test(candidate) ? `https://${candidate}` : candidate;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // "https://" alone, or "www." with nothing after it, is not an address.
  if (!url.hostname || !/[\p{L}\p{N}]/u.test(url.hostname)) return null;
  return url.href;
}

function trimEnd(candidate: string): string {
  let url = candidate;
  for (;;) {
    const before = url;
    url = url.replace(TRAILING, '');
    // A ")" closes the URL's own "(" ("wiki/Rust_(language)"), otherwise the sentence's.
    if (url.endsWith(')') && (url.match(/\(/g)?.length ?? 0) < (url.match(/\)/g)?.length ?? 0)) url = url.slice(0, -1);
    if (url === before) return url;
  }
}

export function linkify(text: string): TextRun[] {
  const runs: TextRun[] = [];
  let at = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const url = trimEnd(match[0]);
    const href = safeHref(url);
    if (!href) continue;
    if (start > at) runs.push({ text: text.slice(at, start) });
    runs.push({ text: url, href });
    at = start + url.length;
  }
  if (at < text.length) runs.push({ text: text.slice(at) });
  return runs;
}
