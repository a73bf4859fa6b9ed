/** `@name` mentions in a group's composer and bubbles. Names may have spaces: a mention is "@" and a member's whole name. */

export interface Mentionable {
  id: string;
  name: string;
}

/** The partial name after an "@" that ends at `caret` (what is being completed), or null. */
export function mentionQueryAt(text: string, caret: number): string | null {
  const before = text.slice(0, caret);
  const match = /(?:^|\s)@([^\s@]{0,30})$/.exec(before);
  return match ? (match[1] ?? '') : null;
}

/** Members whose name matches `query` (a word of it starts with it), first those whose name starts with it. */
export function matchMembers(members: readonly Mentionable[], query: string, limit = 6): Mentionable[] {
  const q = query.toLocaleLowerCase();
  const starts = members.filter((m) => m.name.toLocaleLowerCase().startsWith(q));
  const words = members.filter((m) => !starts.includes(m) && m.name.toLocaleLowerCase().split(/\s+/).some((w) => w.startsWith(q)));
  return [...starts, ...words].slice(0, limit);
}

/** The text with the "@partial" before `caret` replaced by "@Name ", and where the caret goes. */
export function applyMention(text: string, caret: number, name: string): { text: string; caret: number } {
  const query = mentionQueryAt(text, caret);
  if (query === null) return { text, caret };
  const start = caret - query.length - 1;
  const inserted = `@${name} `;
  return { text: text.slice(0, start) + inserted + text.slice(caret), caret: start + inserted.length };
}

/** Of the members picked while writing, those whose "@Name" is still in the text. */
export function mentionsIn(text: string, picked: readonly Mentionable[]): string[] {
  return [...new Set(picked.filter((m) => text.includes(`@${m.name}`)).map((m) => m.id))];
}

/** `text` cut into plain runs and "@Name" runs, for the names given (longest first, so "Ada Lovelace" wins over "Ada"). */
export function splitMentions(text: string, names: readonly string[]): { text: string; mention?: string }[] {
  const sorted = [...new Set(names)].filter(Boolean).sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return [{ text }];
  const out: { text: string; mention?: string }[] = [];
  let plain = '';
  for (let i = 0; i < text.length; ) {
    const name = text[i] === '@' ? sorted.find((n) => text.startsWith(n, i + 1)) : undefined;
    if (name) {
      if (plain) out.push({ text: plain });
      plain = '';
      out.push({ text: `@${name}`, mention: name });
      i += name.length + 1;
    } else {
      plain += text[i];
      i += 1;
    }
  }
  if (plain) out.push({ text: plain });
  return out;
}
