import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Check, Copy, Pencil, Reply, SmilePlus, Trash2 } from 'lucide-react';

/** The emoji offered first (the server's QUICK_REACTIONS); any single emoji works. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🎉', '🙏', '👀'] as const;

interface MessageActionsProps {
  /** Where the buttons sit: beside my bubbles on the left, beside theirs on the right. */
  side: 'left' | 'right';
  /** Opened by a long press (touch): shown as a toolbar under the bubble until used or dismissed. */
  open?: boolean;
  onClose?: () => void;
  /** Copies the message's text. */
  onCopy?: () => void;
  onReact?: (emoji: string) => void;
  onReply?: () => void;
  /** Absent once the edit window has passed, and on other people's messages. */
  onEdit?: () => void;
  onDelete?: () => void;
}

/** How long the copy button shows its tick. */
const COPIED_MS = 1500;

/**
 * Copy, reply, react, edit and delete beside a message: shown on hover and keyboard focus
 * (they are in the tab order after the message); on touch screens, which have no hover,
 * a long press opens them as a toolbar under the bubble. Delete asks once, in place.
 */
export function MessageActions({ side, open = false, onClose, onCopy, onReact, onReply, onEdit, onDelete }: MessageActionsProps) {
  const [confirming, setConfirming] = useState(false);
  const [picking, setPicking] = useState(false);
  const [copied, setCopied] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const pickerRef = useRef<HTMLDivElement>(null);
  const barRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
  }, [confirming]);
  useEffect(() => {
    if (picking) pickerRef.current?.querySelector('button')?.focus();
  }, [picking]);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(false), COPIED_MS);
    return () => clearTimeout(t);
  }, [copied]);
  // A long-pressed toolbar closes on a touch elsewhere or Escape.
  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => {
      if (!barRef.current?.contains(e.target as Node)) {
        setPicking(false);
        onClose?.();
      }
    };
    const esc = (e: globalThis.KeyboardEvent) => e.key === 'Escape' && onClose?.();
    // From the next event on: the press that opened it must not close it.
    const t = setTimeout(() => document.addEventListener('pointerdown', away), 0);
    document.addEventListener('keydown', esc);
    return () => {
      clearTimeout(t);
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('keydown', esc);
    };
  }, [open, onClose]);
  const done = (action: () => void) => () => {
    action();
    onClose?.();
  };

  const base = 'inline-flex min-h-9 items-center gap-1 rounded-lg px-2 text-xs font-medium';
  if (confirming && onDelete) {
    return (
      <div role="group" aria-label="Delete for everyone?" className="mt-1 flex items-center gap-1 text-xs text-gray-200" data-testid="confirm-delete">
        <span>Delete for everyone?</span>
        <button type="button" onClick={onDelete} className={`${base} bg-red-600 text-white hover:bg-red-500`}>
          Delete
        </button>
        <button ref={cancelRef} type="button" onClick={() => setConfirming(false)} className={`${base} text-gray-100 hover:bg-white/10`}>
          Cancel
        </button>
      </div>
    );
  }
  // Beside the bubble, out of the flow: hidden actions take no room between messages.
  // Below `sm` there is no room beside a bubble: a bar there, even an invisible one,
  // would widen the pane and let it scroll sideways. It is not laid out until hovered or
  // focused, and then sits over the top of the bubble's own column.
  const icon = 'inline-flex size-9 items-center justify-center rounded-lg text-gray-300 hover:bg-white/10 hover:text-white';
  const place = open
    ? `top-full z-20 mt-1 rounded-xl border border-white/10 bg-gray-800 p-1 shadow-lg shadow-black/40 ${side === 'left' ? 'right-0' : 'left-0'}`
    : `top-1/2 -translate-y-1/2 ${side === 'left' ? 'right-full mr-1' : 'left-full ml-1'} max-sm:hidden max-sm:group-hover:flex max-sm:group-focus-within:flex max-sm:top-auto max-sm:bottom-full max-sm:z-20 max-sm:mb-1 max-sm:translate-y-0 max-sm:rounded-xl max-sm:border max-sm:border-white/10 max-sm:bg-gray-800 max-sm:p-1 max-sm:shadow-lg max-sm:shadow-black/40 ${
        side === 'left' ? 'max-sm:right-0 max-sm:mr-0' : 'max-sm:left-0 max-sm:ml-0'
      }`;
  // Hidden ones cannot be tapped by accident on a touch screen; focus still shows them.
  const shown = open || picking ? 'opacity-100' : 'opacity-0 group-hover:opacity-100 group-focus-within:opacity-100 [@media(hover:none)]:pointer-events-none [@media(hover:none)]:group-focus-within:pointer-events-auto';
  return (
    <div
      ref={barRef}
      role="toolbar"
      aria-label="Message actions"
      data-testid="message-actions"
      data-open={open || undefined}
      className={`absolute ${place} flex gap-0.5 transition-opacity ${shown}`}
    >
      {/* Below the buttons: above them, the first message's picker would sit under the
          chat header, where nothing can be scrolled into view. */}
      {picking && onReact && (
        <div
          ref={pickerRef}
          role="group"
          aria-label="Pick a reaction"
          data-testid="reaction-picker"
          onKeyDown={(e) => e.key === 'Escape' && setPicking(false)}
          className={`absolute top-full z-10 mt-1 flex gap-0.5 rounded-xl border border-white/10 bg-gray-800 p-1 shadow-lg shadow-black/40 ${side === 'left' ? 'right-0' : 'left-0'}`}
        >
          {QUICK_REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              aria-label={`React with ${emoji}`}
              onClick={() => {
                setPicking(false);
                onReact(emoji);
                onClose?.();
              }}
              className="inline-flex size-9 items-center justify-center rounded-lg text-lg hover:bg-white/10"
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
      {onCopy && (
        <button
          type="button"
          onClick={() => {
            onCopy();
            setCopied(true);
            if (open) setTimeout(() => onClose?.(), COPIED_MS / 2);
          }}
          aria-label={copied ? 'Copied' : 'Copy text'}
          title={copied ? 'Copied' : 'Copy'}
          className={icon}
        >
          {copied ? <Check size={15} aria-hidden="true" /> : <Copy size={15} aria-hidden="true" />}
        </button>
      )}
      {onReply && (
        <button type="button" onClick={done(onReply)} aria-label="Reply" title="Reply" className={icon}>
          <Reply size={15} aria-hidden="true" />
        </button>
      )}
      {onReact && (
        <button type="button" onClick={() => setPicking((p) => !p)} aria-label="Add reaction" aria-expanded={picking} title="React" className={icon}>
          <SmilePlus size={15} aria-hidden="true" />
        </button>
      )}
      {onEdit && (
        <button type="button" onClick={done(onEdit)} aria-label="Edit message" title="Edit" className={icon}>
          <Pencil size={15} aria-hidden="true" />
        </button>
      )}
      {onDelete && (
        <button type="button" onClick={() => setConfirming(true)} aria-label="Delete message" title="Delete" className={icon}>
          <Trash2 size={15} aria-hidden="true" />
        </button>
      )}
    </div>
  );
}

interface EditBoxProps {
  initial: string;
  onSave: (text: string) => void;
  onCancel: () => void;
}

/** The text of a message being edited: Enter saves, Shift+Enter adds a line, Escape cancels. */
export function EditBox({ initial, onSave, onCancel }: EditBoxProps) {
  const [text, setText] = useState(initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const save = () => {
    if (text.trim() === initial.trim()) onCancel();
    else onSave(text);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      onCancel();
    } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      save();
    }
  };
  return (
    <div className="flex w-72 max-w-full flex-col gap-1.5">
      <textarea
        ref={ref}
        aria-label="Edit message"
        value={text}
        rows={Math.min(6, Math.max(2, text.split('\n').length))}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        className="w-full resize-none rounded-lg border border-white/20 bg-blue-950/40 px-2.5 py-1.5 text-[15px] text-white focus:border-white/60 focus:outline-none"
      />
      <div className="flex justify-end gap-1 text-xs">
        <button type="button" onClick={onCancel} className="min-h-9 rounded-lg px-2.5 font-medium text-blue-50 hover:bg-white/10">
          Cancel
        </button>
        <button type="button" onClick={save} disabled={!text.trim()} className="min-h-9 rounded-lg bg-white px-2.5 font-medium text-blue-700 hover:bg-blue-50 disabled:opacity-50">
          Save
        </button>
      </div>
    </div>
  );
}
