/** A piece of a result's text: a hit is shown marked. Rendered as text, never as HTML. */
export interface Segment {
  text: string;
  hit: boolean;
}

/**
 * The part of `text` around its first hit (about `context` characters either side,
 * cut at the ends with "…"), split into plain and marked pieces. `ranges` are the
 * server's `[start, end)` in UTF-16 code units, which is how JavaScript indexes strings.
 */
export function highlightSegments(text: string, ranges: number[][], context = 60): Segment[] {
  const valid: Array<[number, number]> = ranges
    .flatMap(([start, end]) => (start !== undefined && end !== undefined && start >= 0 && start < end && end <= text.length ? [[start, end] as [number, number]] : []))
    .sort((a, b) => a[0] - b[0]);
  const firstHit = valid[0]?.[0] ?? 0;
  const from = Math.max(0, firstHit - context);
  const to = Math.min(text.length, Math.max(firstHit, from) + context * 3);
  const segments: Segment[] = [];
  const push = (s: string, hit: boolean) => s && segments.push({ text: s, hit });
  let at = from;
  for (const [start, end] of valid) {
    if (end <= at || start >= to) continue;
    push(text.slice(at, Math.max(at, start)), false);
    push(text.slice(Math.max(at, start), Math.min(end, to)), true);
    at = Math.min(end, to);
  }
  push(text.slice(at, to), false);
  if (from > 0) segments.unshift({ text: '…', hit: false });
  if (to < text.length) segments.push({ text: '…', hit: false });
  return segments;
}
