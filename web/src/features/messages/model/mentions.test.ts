import { describe, expect, it } from 'vitest';
import { applyMention, matchMembers, mentionQueryAt, mentionsIn, splitMentions } from './mentions';

const ada = { id: 'a', name: 'Ada Lovelace' };
const bob = { id: 'b', name: 'Bob' };
const al = { id: 'c', name: 'Alan Turing' };

describe('mentions', () => {
  it('finds what is being completed only right after an @ that starts a word', () => {
    expect(mentionQueryAt('hi @Ad', 6)).toBe('Ad');
    expect(mentionQueryAt('@', 1)).toBe('');
    expect(mentionQueryAt('mail me@x', 9)).toBeNull();
    expect(mentionQueryAt('hi @Ada there', 13)).toBeNull();
  });

  it('matches names by their start first, then by any word', () => {
    expect(matchMembers([bob, al, ada], 'a').map((m) => m.id)).toEqual(['c', 'a']);
    expect(matchMembers([bob, al, ada], 'tur').map((m) => m.id)).toEqual(['c']);
  });

  it('puts the whole name in and keeps what the text still mentions', () => {
    const { text, caret } = applyMention('hey @lo how', 7, ada.name);
    expect(text).toBe('hey @Ada Lovelace  how');
    expect(caret).toBe(18);
    expect(mentionsIn(text, [ada, bob])).toEqual(['a']);
    expect(mentionsIn('hey', [ada])).toEqual([]);
  });

  it('cuts a text into plain runs and whole-name mentions, longest name first', () => {
    expect(splitMentions('hi @Ada Lovelace and @Bob!', ['Bob', 'Ada Lovelace', 'Ada'])).toEqual([
      { text: 'hi ' },
      { text: '@Ada Lovelace', mention: 'Ada Lovelace' },
      { text: ' and ' },
      { text: '@Bob', mention: 'Bob' },
      { text: '!' },
    ]);
    expect(splitMentions('a@b', [])).toEqual([{ text: 'a@b' }]);
  });
});
