import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, stubFetch } from '../../../test/render';
import type { User } from '../../../lib/wire';
import { VerifyScreen } from './VerifyScreen';

const user: User = {
  _id: 'u1',
  name: 'Ada',
  email: 'ada@example.com',
  createdAt: '2026-11-25T18:00:00.000Z',
  updatedAt: '2026-11-25T18:00:00.000Z',
  lastSeen: null,
};

const boxes = () => Array.from({ length: 6 }, (_, i) => screen.getByLabelText(`Digit ${i + 1} of 6`) as HTMLInputElement);

function renderVerify() {
  return renderAt(<VerifyScreen />, {
    path: '/verify?email=ada%40example.com',
    route: '/verify',
    extra: { '/chat': <p>chat screen</p>, '/login': <p>login screen</p> },
  });
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('VerifyScreen', () => {
  it('fills all six boxes from a pasted code and submits it once', async () => {
    const { calls } = stubFetch({ 'POST /api/v1/verify': () => ({ status: 200, body: { message: 'ok', user, token: 'ignored' } }) });
    renderVerify();

    fireEvent.paste(boxes()[0]!, { clipboardData: { getData: () => ' 123 456 ' } });

    expect(boxes().map((b) => b.value)).toEqual(['1', '2', '3', '4', '5', '6']);
    await screen.findByText('chat screen');
    expect(calls.filter((c) => c.key === 'POST /api/v1/verify')).toEqual([
      { key: 'POST /api/v1/verify', body: { email: 'ada@example.com', otp: '123456' } },
    ]);
  });

  it('moves focus forward on typing and back on Backspace', () => {
    stubFetch({});
    renderVerify();
    const [first, second, third] = boxes();
    fireEvent.change(first!, { target: { value: '4' } });
    expect(document.activeElement).toBe(second);
    fireEvent.change(second!, { target: { value: '2' } });
    expect(document.activeElement).toBe(third);
    fireEvent.keyDown(third!, { key: 'Backspace' });
    expect(document.activeElement).toBe(second);
    expect(boxes().map((b) => b.value)).toEqual(['4', '', '', '', '', '']);
  });

  it("shows the server's sentence when the code is wrong", async () => {
    stubFetch({
      'POST /api/v1/verify': () => ({ status: 400, body: { message: 'That code is wrong or has expired.', code: 'invalid_otp' } }),
    });
    renderVerify();
    fireEvent.paste(boxes()[0]!, { clipboardData: { getData: () => '000000' } });
    expect(await screen.findByRole('alert')).toHaveTextContent('That code is wrong or has expired.');
    expect(boxes().map((b) => b.value)).toEqual(['', '', '', '', '', '']);
  });

  it('keeps "Resend code" disabled for 60 s, then asks for a new code', async () => {
    vi.useFakeTimers();
    const { calls } = stubFetch({ 'POST /api/v1/login': () => ({ status: 200, body: { message: 'sent' } }) });
    renderVerify();

    expect(screen.getByRole('button', { name: /resend code in 60s/i })).toBeDisabled();
    act(() => vi.advanceTimersByTime(59_000));
    expect(screen.getByRole('button', { name: /resend code in 1s/i })).toBeDisabled();
    act(() => vi.advanceTimersByTime(1_000));
    const resend = screen.getByRole('button', { name: 'Resend code' });
    expect(resend).toBeEnabled();

    vi.useRealTimers();
    fireEvent.click(resend);
    await waitFor(() => expect(calls.filter((c) => c.key !== 'GET /dev/mailbox.json')).toEqual([{ key: 'POST /api/v1/login', body: { email: 'ada@example.com' } }]));
    expect(await screen.findByRole('button', { name: /resend code in 60s/i })).toBeDisabled();
  });

  it('says where the code is on a development server (the console mailer answers /dev/mailbox.json)', async () => {
    stubFetch({ 'GET /dev/mailbox.json': () => ({ status: 200, body: { mails: [] } }) });
    renderVerify();
    const note = await screen.findByTestId('dev-mailbox');
    expect(note).toHaveTextContent('Development server: your code is at /dev/mailbox');
    expect(screen.getByRole('link', { name: '/dev/mailbox' })).toHaveAttribute('href', '/dev/mailbox');
  });

  it('says nothing of it on a production server', async () => {
    const { calls } = stubFetch({ 'GET /dev/mailbox.json': () => ({ status: 404 }) });
    renderVerify();
    await waitFor(() => expect(calls.some((c) => c.key === 'GET /dev/mailbox.json')).toBe(true));
    await act(async () => undefined);
    expect(screen.queryByTestId('dev-mailbox')).toBeNull();
  });
});
