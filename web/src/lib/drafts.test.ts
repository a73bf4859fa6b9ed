import { beforeEach, describe, expect, it } from 'vitest';
import { clearAllDrafts, loadDraft, saveDraft } from './drafts';

describe('drafts', () => {
  beforeEach(() => localStorage.clear());

  it('keeps one draft per user and chat', () => {
    saveDraft('me', 'c1', 'half a thought');
    saveDraft('me', 'c2', 'another');
    saveDraft('other', 'c1', 'not yours');
    expect(loadDraft('me', 'c1')).toBe('half a thought');
    expect(loadDraft('me', 'c2')).toBe('another');
    expect(loadDraft('other', 'c1')).toBe('not yours');
    expect(loadDraft('me', 'c3')).toBe('');
  });

  it('forgets a draft saved blank (after a send)', () => {
    saveDraft('me', 'c1', 'x');
    saveDraft('me', 'c1', '   ');
    expect(loadDraft('me', 'c1')).toBe('');
    expect(localStorage.length).toBe(0);
  });

  it('clears every draft and nothing else on logout', () => {
    localStorage.setItem('unrelated', '1');
    saveDraft('me', 'c1', 'a');
    saveDraft('you', 'c2', 'b');
    clearAllDrafts();
    expect(loadDraft('me', 'c1')).toBe('');
    expect(loadDraft('you', 'c2')).toBe('');
    expect(localStorage.getItem('unrelated')).toBe('1');
  });
});
