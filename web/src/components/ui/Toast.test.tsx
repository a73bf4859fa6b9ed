import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ToastProvider, useToast } from './Toast';

function Trigger() {
  const toast = useToast();
  return (
    <>
      <button type="button" onClick={() => toast.show('Could not send.')}>fail</button>
      <button type="button" onClick={() => toast.show('Copied.', 'info')}>ok</button>
      <p>composer</p>
    </>
  );
}

describe('toasts', () => {
  // They looked like success toasts and floated over the composer.
  it('tell an error apart (role=alert, red, an icon) from info, in the flow above the page, not over it', () => {
    render(
      <ToastProvider>
        <Trigger />
      </ToastProvider>,
    );
    act(() => screen.getByText('fail').click());
    act(() => screen.getByText('ok').click());
    const error = screen.getByRole('alert');
    expect(error).toHaveTextContent('Error: Could not send.');
    expect(error).toHaveAttribute('data-tone', 'error');
    expect(error.className).toMatch(/bg-red-950/);
    expect(error.querySelector('svg')).not.toBeNull();
    const info = screen.getByRole('status');
    expect(info).toHaveAttribute('data-tone', 'info');
    expect(info.className).not.toMatch(/red/);
    const region = screen.getByRole('region', { name: 'Alerts' });
    // Not fixed over the app: a sibling before it in the same column.
    expect(region.className).not.toMatch(/\bfixed\b|\babsolute\b/);
    expect(region.compareDocumentPosition(screen.getByText('composer')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });
});
