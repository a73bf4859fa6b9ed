import type { Browser, Page } from 'playwright-core';

/** What every scenario is given by `run.ts`. */
export interface ScenarioOptions {
  browser: Browser;
  baseUrl: string;
  screenshotDir: string;
  log: (line: string) => void;
}

export const DESKTOP = { width: 1280, height: 800 };
/** A phone-sized window. */
export const MOBILE = { width: 390, height: 844 };

export const messageList = (page: Page) => page.getByTestId('message-list');
export const messages = (page: Page) => messageList(page).getByTestId('message');
/** The message whose own text has `text` (a reply's quote of it does not count). */
export const messageWith = (page: Page, text: string) => messages(page).filter({ has: page.locator('p', { hasText: text }) });
export const composer = (page: Page) => page.getByLabel('Message', { exact: true });
/** The chat list's row whose title (or preview) has `name`. */
export const rowFor = (page: Page, name: string) => page.getByTestId('chat-row').filter({ hasText: name });
