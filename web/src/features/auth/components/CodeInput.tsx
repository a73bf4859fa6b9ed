import { useRef, type ClipboardEvent, type KeyboardEvent } from 'react';

export const CODE_LENGTH = 6;

interface CodeInputProps {
  digits: string[];
  onChange: (digits: string[]) => void;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string;
}

/**
 * Six single-digit boxes. Typing moves forward, Backspace on an empty box moves back,
 * and pasting (or an OS one-time-code autofill into any box) spreads the digits.
 */
export function CodeInput({ digits, onChange, disabled, invalid, describedBy }: CodeInputProps) {
  const refs = useRef<Array<HTMLInputElement | null>>([]);
  const focus = (index: number) => refs.current[Math.max(0, Math.min(CODE_LENGTH - 1, index))]?.focus();

  const fillFrom = (start: number, incoming: string) => {
    const chars = incoming.replace(/\D/g, '').slice(0, CODE_LENGTH - start).split('');
    if (chars.length === 0) return;
    const next = [...digits];
    chars.forEach((c, i) => (next[start + i] = c));
    onChange(next);
    focus(start + chars.length);
  };

  const onKeyDown = (index: number) => (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Backspace' && !digits[index] && index > 0) {
      e.preventDefault();
      const next = [...digits];
      next[index - 1] = '';
      onChange(next);
      focus(index - 1);
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      focus(index - 1);
    } else if (e.key === 'ArrowRight') {
      e.preventDefault();
      focus(index + 1);
    }
  };

  const onPaste = (index: number) => (e: ClipboardEvent<HTMLInputElement>) => {
    const text = e.clipboardData.getData('text');
    e.preventDefault();
    // A whole code always lands from the first box, wherever the caret was.
    fillFrom(text.replace(/\D/g, '').length >= CODE_LENGTH ? 0 : index, text);
  };

  return (
    <div role="group" aria-label="6-digit code" aria-describedby={describedBy} className="flex justify-between gap-2">
      {Array.from({ length: CODE_LENGTH }, (_, index) => (
        <input
          key={index}
          ref={(el) => {
            refs.current[index] = el;
          }}
          value={digits[index] ?? ''}
          onChange={(e) => {
            const value = e.target.value.replace(/\D/g, '');
            if (value.length > 1) return fillFrom(index, value);
            const next = [...digits];
            next[index] = value;
            onChange(next);
            if (value) focus(index + 1);
          }}
          onKeyDown={onKeyDown(index)}
          onPaste={onPaste(index)}
          onFocus={(e) => e.target.select()}
          inputMode="numeric"
          autoComplete={index === 0 ? 'one-time-code' : 'off'}
          pattern="[0-9]*"
          maxLength={CODE_LENGTH}
          autoFocus={index === 0}
          disabled={disabled}
          aria-label={`Digit ${index + 1} of ${CODE_LENGTH}`}
          aria-invalid={invalid || undefined}
          className={`h-14 w-full min-w-0 rounded-xl border bg-gray-900/70 text-center text-2xl font-semibold text-white tabular-nums transition-colors focus:border-blue-500 focus:outline-none focus-visible:outline-2 focus-visible:outline-blue-400 disabled:opacity-60 ${
            invalid ? 'border-red-400/70' : 'border-white/10'
          }`}
        />
      ))}
    </div>
  );
}
