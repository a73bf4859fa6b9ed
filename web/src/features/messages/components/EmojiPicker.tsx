import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Smile } from 'lucide-react';
import { IconButton } from '../../../components/ui/IconButton';
import { EMOJI } from '../model/emoji';

const COLUMNS = 8;

/**
 * A button that opens a grid of common emoji above the composer. Arrow keys move through
 * the grid, Enter or a click inserts one, Escape (or a click elsewhere) closes it and the
 * focus goes back where it came from.
 */
export function EmojiPicker({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const gridRef = useRef<HTMLDivElement>(null);
  const wrapRef = useRef<HTMLSpanElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const id = useId();

  useEffect(() => {
    if (open) gridRef.current?.querySelectorAll<HTMLButtonElement>('button')[active]?.focus();
  }, [open, active]);
  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => {
      if (!wrapRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);

  const close = (back: 'trigger' | 'text') => {
    setOpen(false);
    if (back === 'trigger') triggerRef.current?.focus();
    else onClose();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS }[e.key];
    if (step !== undefined) {
      e.preventDefault();
      setActive((i) => Math.min(EMOJI.length - 1, Math.max(0, i + step)));
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      setActive(e.key === 'Home' ? 0 : EMOJI.length - 1);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close('trigger');
    } else if (e.key === 'Tab') {
      setOpen(false);
    }
  };

  return (
    <span ref={wrapRef} className="relative">
      <IconButton
        ref={triggerRef}
        label="Insert emoji"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        aria-haspopup="dialog"
        onClick={() => setOpen((o) => !o)}
      >
        <Smile size={20} aria-hidden="true" />
      </IconButton>
      {open && (
        <div
          id={id}
          ref={gridRef}
          role="dialog"
          aria-label="Emoji"
          data-testid="emoji-picker"
          onKeyDown={onKeyDown}
          className="absolute bottom-full left-0 z-30 mb-2 grid w-max grid-cols-8 gap-0.5 rounded-2xl border border-white/10 bg-gray-800 p-1.5 shadow-xl shadow-black/50"
        >
          {EMOJI.map((e, i) => (
            <button
              key={e.emoji}
              type="button"
              tabIndex={i === active ? 0 : -1}
              aria-label={e.name}
              title={e.name}
              onClick={() => {
                onPick(e.emoji);
                setActive(i);
                close('text');
              }}
              className="inline-flex size-9 items-center justify-center rounded-lg text-xl hover:bg-white/10 focus-visible:bg-white/10"
            >
              {e.emoji}
            </button>
          ))}
        </div>
      )}
    </span>
  );
}
