import { describe, expect, it } from 'vitest';
import { viewingOf } from './viewing';

describe('viewingOf', () => {
  it('names the chat of a chat route', () => {
    expect(viewingOf('/chat/abc-1', 'visible')).toEqual({ chatId: 'abc-1', visible: true });
    expect(viewingOf('/chat/a%20b', 'hidden')).toEqual({ chatId: 'a b', visible: false });
  });
  it('names no chat elsewhere or for a broken path', () => {
    expect(viewingOf('/chat', 'visible').chatId).toBeNull();
    expect(viewingOf('/settings', 'visible').chatId).toBeNull();
    expect(viewingOf('/chat/a/b', 'visible').chatId).toBeNull();
    expect(viewingOf('/chat/%E0%A4%A', 'visible').chatId).toBeNull();
  });
});
