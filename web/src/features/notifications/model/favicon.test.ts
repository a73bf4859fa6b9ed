import { describe, expect, it } from 'vitest';
import { badgeLabel, badgedFaviconSvg, faviconHref, PLAIN_FAVICON } from './favicon';

describe('the favicon badge', () => {
  it('is the plain favicon at zero', () => {
    expect(faviconHref(0)).toBe(PLAIN_FAVICON);
  });

  it('draws the count, 9+ above nine, as an SVG data URL', () => {
    expect(badgeLabel(3)).toBe('3');
    expect(badgeLabel(10)).toBe('9+');
    expect(badgedFaviconSvg(3)).toContain('>3</text>');
    const href = faviconHref(12);
    expect(href.startsWith('data:image/svg+xml,')).toBe(true);
    expect(decodeURIComponent(href.slice('data:image/svg+xml,'.length))).toContain('>9+</text>');
  });
});
