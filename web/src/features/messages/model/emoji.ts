/** The composer's picker: common emoji with the names a screen reader says for them. */
export const EMOJI: readonly { emoji: string; name: string }[] = [
  ['😀', 'grinning'], ['😃', 'smiling'], ['😄', 'laughing eyes'], ['😁', 'beaming'], ['😅', 'sweat smile'], ['😂', 'tears of joy'],
  ['🤣', 'rolling on the floor'], ['😊', 'blushing'], ['🙂', 'slight smile'], ['😉', 'wink'], ['😍', 'heart eyes'], ['🥰', 'in love'],
  ['😘', 'kiss'], ['😎', 'cool'], ['🤩', 'star-struck'], ['🤔', 'thinking'], ['🤨', 'raised eyebrow'], ['😐', 'neutral'],
  ['🙄', 'eye roll'], ['😏', 'smirk'], ['😴', 'sleeping'], ['😌', 'relieved'], ['😛', 'tongue out'], ['🤪', 'zany'],
  ['😬', 'grimace'], ['😮', 'surprised'], ['😱', 'screaming'], ['😢', 'crying'], ['😭', 'sobbing'], ['😤', 'huffing'],
  ['😡', 'angry'], ['🥳', 'party face'], ['🥺', 'pleading'], ['🤗', 'hug'], ['🤫', 'shush'], ['🤯', 'mind blown'],
  ['👍', 'thumbs up'], ['👎', 'thumbs down'], ['👏', 'clapping'], ['🙌', 'raised hands'], ['🙏', 'thank you'], ['👋', 'wave'],
  ['👌', 'OK'], ['✌️', 'victory'], ['🤞', 'fingers crossed'], ['💪', 'strong'], ['👀', 'eyes'], ['🫡', 'salute'],
  ['❤️', 'red heart'], ['💔', 'broken heart'], ['🔥', 'fire'], ['✨', 'sparkles'], ['🎉', 'party popper'], ['💯', 'hundred'],
  ['✅', 'check mark'], ['❌', 'cross mark'], ['⚠️', 'warning'], ['☕', 'coffee'], ['🍕', 'pizza'], ['🚀', 'rocket'],
].map(([emoji, name]) => ({ emoji: emoji!, name: name! }));

/** `text` with `emoji` put in place of the selection [start, end), and where the caret goes after it. */
export function insertAt(text: string, start: number, end: number, emoji: string): { text: string; caret: number } {
  const a = Math.max(0, Math.min(start, text.length));
  const b = Math.max(a, Math.min(end, text.length));
  return { text: text.slice(0, a) + emoji + text.slice(b), caret: a + emoji.length };
}
