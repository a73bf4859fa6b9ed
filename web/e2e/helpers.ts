import { deflateSync } from 'node:zlib';
import type { Page } from 'playwright-core';

/** Throws with a readable message; the runner turns any throw into exit code 1. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`Assertion failed: ${message}`);
}

/** Polls `probe` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function until<T>(probe: () => Promise<T> | T, what: string, timeoutMs = 15_000, everyMs = 200): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

export interface Mail {
  to: string;
  subject: string;
  body: string;
  sentAt: string;
}

/** The newest code mailed to `email` after `since`, read from the console mailer's /dev/mailbox.json. */
export async function readLoginCode(baseUrl: string, email: string, since: number): Promise<string> {
  return until(async () => {
    const res = await fetch(`${baseUrl}/dev/mailbox.json`);
    if (!res.ok) throw new Error(`/dev/mailbox.json answered ${res.status}`);
    const mails = (await res.json()) as Mail[];
    const newest = mails
      .filter((m) => m.to.toLowerCase().includes(email.toLowerCase()) && Date.parse(m.sentAt) >= since - 5000)
      .sort((a, b) => Date.parse(b.sentAt) - Date.parse(a.sentAt))[0];
    return newest?.body.match(/\b(\d{6})\b/)?.[1];
  }, `a login code mailed to ${email}`);
}

/** Login screen -> code from the mailbox -> verify screen -> /chat. Screenshots are optional. */
export async function logIn(page: Page, baseUrl: string, email: string, shot?: (name: string) => Promise<void>) {
  await page.goto(`${baseUrl}/login`);
  const emailInput = page.getByLabel('Email address');
  await emailInput.waitFor();
  await shot?.('login');
  const since = Date.now();
  await emailInput.fill(email);
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.waitForURL(/\/verify\?email=/);
  await page.getByLabel('Digit 1 of 6').waitFor();
  await shot?.('verify');
  const code = await readLoginCode(baseUrl, email, since);
  // Typing digit by digit exercises focus advance; the sixth digit auto-submits.
  await page.getByLabel('Digit 1 of 6').focus();
  await page.keyboard.type(code, { delay: 30 });
  await page.waitForURL(/\/chat(\/|$)/, { timeout: 15_000 });
}

/** Sets the display name on /profile and returns to /chat. */
export async function setDisplayName(page: Page, baseUrl: string, name: string, shot?: (name: string) => Promise<void>) {
  await page.goto(`${baseUrl}/profile`);
  const field = page.getByLabel('Display name');
  await field.waitFor();
  await field.fill(name);
  await page.getByRole('button', { name: 'Save name' }).click();
  await until(async () => (await page.getByRole('heading', { level: 1 }).textContent())?.trim() === name, `profile shows name ${name}`);
  await shot?.('profile');
  await page.getByRole('link', { name: 'Back to chats' }).click();
  await page.waitForURL(/\/chat(\/|$)/);
}

// ---- a tiny PNG encoder, so the test ships no binary fixture ----

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A `size`×`size` RGB PNG: a blue/white diagonal, recognisable in screenshots. */
export function makePng(size = 64): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const rows: number[] = [];
  for (let y = 0; y < size; y++) {
    rows.push(0); // filter: none
    for (let x = 0; x < size; x++) rows.push(...(x > y ? [37, 99, 235] : [240, 244, 255]));
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
