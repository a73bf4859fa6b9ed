import { useId, type ReactNode } from 'react';

/** A labelled on/off switch with a hint under the label; `children` go below (a status, a button). */
export function SwitchRow({
  label,
  hint,
  checked,
  disabled,
  onChange,
  children,
  testId,
}: {
  label: string;
  hint: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
  children?: ReactNode;
  testId?: string;
}) {
  const id = useId();
  return (
    <div className="flex items-start justify-between gap-4">
      <div className="min-w-0">
        <label htmlFor={id} className="block text-sm font-medium text-gray-200">
          {label}
        </label>
        <p id={`${id}-hint`} className="mt-1 text-xs text-gray-400">
          {hint}
        </p>
        {children}
      </div>
      <input
        id={id}
        type="checkbox"
        role="switch"
        aria-describedby={`${id}-hint`}
        checked={checked}
        disabled={disabled}
        data-testid={testId}
        onChange={(e) => onChange(e.target.checked)}
        className="mt-1 size-6 shrink-0 cursor-pointer accent-blue-500 focus-visible:outline-2 focus-visible:outline-blue-400 disabled:cursor-not-allowed"
      />
    </div>
  );
}
