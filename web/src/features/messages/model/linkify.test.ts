import { describe, expect, it } from 'vitest';
import { linkify, safeHref } from './linkify';

const links = (text: string) => linkify(text).filter((r) => r.href).map((r) => [r.text, r.href]);

describe('linkify', () => {
  it('links http, https and www addresses and keeps the text around them', () => {
    expect(linkify('see https://natter.chat/docs now')).toEqual([
      { text: 'see ' },
      { text: 'https://natter.chat/docs', href: 'https://natter.chat/docs' },
      { text: ' now' },
    ]);
    expect(links('http://example.com and www.example.org/a?b=1#c')).toEqual([
      ['http://example.com', 'http://example.com/'],
      ['www.example.org/a?b=1#c', 'https://www.example.org/a?b=1#c'],
    ]);
  });

  it('leaves out the punctuation a sentence puts after an address', () => {
    expect(links('Is it https://example.com/x? Yes: https://example.com/y.')).toEqual([
      ['https://example.com/x', 'https://example.com/x'],
      ['https://example.com/y', 'https://example.com/y'],
    ]);
    expect(links('(see https://example.com/a)')).toEqual([['https://example.com/a', 'https://example.com/a']]);
    expect(links('https://en.wikipedia.org/wiki/Rust_(language)')).toEqual([
      ['https://en.wikipedia.org/wiki/Rust_(language)', 'https://en.wikipedia.org/wiki/Rust_(language)'],
    ]);
  });

  it('never links javascript:, data:, file: or other schemes, however they are spelled', () => {
    for (const hostile of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(document.cookie)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'ftp://example.com',
      '//evil.example/path',
    ]) {
      expect(links(hostile), hostile).toEqual([]);
      expect(linkify(hostile).map((r) => r.text).join(''), hostile).toBe(hostile);
    }
  });

  it('does not take a scheme hidden inside a word or after another one', () => {
    expect(links('xhttps://evil.example')).toEqual([]);
    expect(links('javascript:https://evil.example')).toEqual([['https://evil.example', 'https://evil.example/']]);
    expect(links('javascript://www.example.com/%0aalert(1)')).toEqual([]);
  });

  it('stops at quotes and angle brackets, so no markup rides along', () => {
    expect(links('https://a.example/"onmouseover="alert(1)')).toEqual([['https://a.example/', 'https://a.example/']]);
    expect(links('<https://a.example/x><script>')).toEqual([['https://a.example/x', 'https://a.example/x']]);
  });

  it('ignores an address with no host', () => {
    expect(links('https:// and www. and http://...')).toEqual([]);
  });

  it('keeps every character of the text, links included', () => {
    const text = 'a https://x.example/1, b www.y.example. c\nhttp://z.example/(q)) end';
    expect(linkify(text).map((r) => r.text).join('')).toBe(text);
  });

  it('accepts only http(s) hrefs', () => {
    expect(safeHref('https://ok.example')).toBe('https://ok.example/');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('www.ok.example')).toBe('https://www.ok.example/');
  });
});
