import { useEffect, useId, useImperativeHandle, useLayoutEffect, useRef, useState, type ClipboardEvent, type FormEvent, type KeyboardEvent, type Ref } from 'react';
import { ImagePlus, SendHorizontal, X } from 'lucide-react';
import { loadDraft, saveDraft } from '../../../lib/drafts';
import { EmojiPicker } from './EmojiPicker';
import { IconButton } from '../../../components/ui/IconButton';
import { Avatar } from '../../../components/ui/Avatar';
import { insertAt } from '../model/emoji';
import { applyMention, matchMembers, mentionQueryAt, mentionsIn, type Mentionable } from '../model/mentions';

const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** The message being answered, as the bar above the text box shows it. */
export interface ReplyTarget {
  id: string;
  author: string;
  line: string;
}

/** What the pane does with the composer: attach a dropped image, give the focus back. */
export interface ComposerHandle {
  attachImage: (file: File) => void;
  focus: () => void;
}

/** The first image among pasted or dropped files, if any. */
export function firstImage(files: FileList | File[] | null | undefined): File | undefined {
  return Array.from(files ?? []).find((f) => f.type.startsWith('image/'));
}

interface ComposerProps {
  ref?: Ref<ComposerHandle>;
  /** Whose draft of which chat the text box keeps (localStorage). */
  draft: { userId: string; chatId: string };
  /** Up arrow in an empty box: edit my last message. False when there is none to edit. */
  onEditLast?: () => boolean;
  onSend: (text: string, image?: File, replyTo?: string, mentions?: string[]) => void;
  /** In a group: the members "@" completes (not me). */
  members?: readonly Mentionable[];
  replyingTo?: ReplyTarget | null;
  onCancelReply?: () => void;
  onTyping: () => void;
  onStopTyping: () => void;
  onError: (message: string) => void;
}

/**
 * Enter sends, Shift+Enter adds a line; one image can ride along (picked, pasted or
 * dropped on the pane), previewed first. What is typed is kept as the chat's draft.
 */
export function Composer({ ref, draft, onEditLast, onSend, members, replyingTo, onCancelReply, onTyping, onStopTyping, onError }: ComposerProps) {
  const [text, setText] = useState(() => loadDraft(draft.userId, draft.chatId));
  // Every change is the draft (a blank one is forgotten).
  useEffect(() => saveDraft(draft.userId, draft.chatId, text), [draft.userId, draft.chatId, text]);
  // "@" completion: what is typed after it, which suggestion is chosen, who was picked.
  const [query, setQuery] = useState<string | null>(null);
  const [choice, setChoice] = useState(0);
  const picked = useRef<Mentionable[]>([]);
  // Where the caret goes once a picked mention is in the text: set before the browser
  // takes the next key, so what is typed next lands after the name.
  const caretAfter = useRef<number | null>(null);
  useLayoutEffect(() => {
    const el = textRef.current;
    if (el && caretAfter.current !== null) {
      el.setSelectionRange(caretAfter.current, caretAfter.current);
      caretAfter.current = null;
    }
  }, [text]);
  const suggestions = members && query !== null ? matchMembers(members, query) : [];
  const listId = useId();
  const [image, setImage] = useState<{ file: File; url: string } | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const textId = useId();

  useEffect(() => () => {
    if (image) URL.revokeObjectURL(image.url);
  }, [image]);

  // Grow with the text up to a few lines, then scroll inside.
  useEffect(() => {
    const el = textRef.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  const canSend = text.trim().length > 0 || image !== null;

  // Choosing a message to answer puts the cursor where the answer goes.
  useEffect(() => {
    if (replyingTo) textRef.current?.focus();
  }, [replyingTo]);

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!canSend) return;
    onSend(text.trim(), image?.file, replyingTo?.id, mentionsIn(text, picked.current));
    picked.current = [];
    setQuery(null);
    onCancelReply?.();
    onStopTyping();
    setText('');
    setImage(null);
    textRef.current?.focus();
  };

  const pickMention = (member: Mentionable) => {
    const el = textRef.current;
    const next = applyMention(text, el?.selectionStart ?? text.length, member.name);
    picked.current = [...picked.current.filter((m) => m.id !== member.id), member];
    caretAfter.current = next.caret;
    setText(next.text);
    setQuery(null);
    el?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setChoice((c) => (c + step + suggestions.length) % suggestions.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        const member = suggestions[Math.min(choice, suggestions.length - 1)];
        if (member) pickMention(member);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setQuery(null);
        return;
      }
    }
    if (e.key === 'ArrowUp' && text === '' && !e.shiftKey && !e.altKey && !e.metaKey && !e.ctrlKey && onEditLast?.()) {
      e.preventDefault();
    } else if (e.key === 'Escape' && replyingTo) {
      e.preventDefault();
      onCancelReply?.();
    } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const pickImage = (file: File | undefined) => {
    if (!file) return;
    if (!file.type.startsWith('image/')) return onError('Only images can be attached.');
    if (file.size > MAX_IMAGE_BYTES) return onError('That image is larger than 10 MB.');
    setImage({ file, url: URL.createObjectURL(file) });
  };
  useImperativeHandle(ref, () => ({
    attachImage: (file) => {
      pickImage(file);
      textRef.current?.focus();
    },
    focus: () => textRef.current?.focus(),
  }));

  // An image on the clipboard (a screenshot) attaches; pasted text goes in as usual.
  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const file = firstImage(e.clipboardData.files);
    if (!file) return;
    e.preventDefault();
    pickImage(file);
  };

  const insertEmoji = (emoji: string) => {
    const el = textRef.current;
    const next = insertAt(text, el?.selectionStart ?? text.length, el?.selectionEnd ?? text.length, emoji);
    caretAfter.current = next.caret;
    setText(next.text);
    onTyping();
    el?.focus();
  };

  return (
    <form onSubmit={submit} className="border-t border-white/10 bg-gray-800/60 px-3 py-3 backdrop-blur sm:px-4">
      {replyingTo && (
        <div data-testid="reply-bar" className="mb-2 flex items-center gap-2 rounded-xl border-l-4 border-blue-400 bg-gray-900/60 py-1 pr-1 pl-3 text-sm">
          <p className="min-w-0 flex-1 truncate text-gray-200">
            Replying to <span className="font-semibold text-blue-300">{replyingTo.author}</span>: {replyingTo.line}
          </p>
          <IconButton label="Cancel reply" onClick={() => onCancelReply?.()}>
            <X size={18} aria-hidden="true" />
          </IconButton>
        </div>
      )}
      {image && (
        <div className="mb-2 inline-flex items-start gap-1 rounded-xl bg-gray-900/60 p-1.5">
          <img src={image.url} alt="Image to send" data-testid="image-preview" className="h-20 w-auto max-w-40 rounded-lg object-cover" />
          <IconButton label="Remove image" onClick={() => setImage(null)}>
            <X size={18} aria-hidden="true" />
          </IconButton>
        </div>
      )}
      {suggestions.length > 0 && (
        <ul id={listId} role="listbox" aria-label="Mention someone" data-testid="mention-list" className="mb-2 max-w-sm rounded-xl border border-white/10 bg-gray-900 p-1 shadow-lg">
          {suggestions.map((m, i) => (
            <li
              key={m.id}
              role="option"
              aria-selected={i === choice}
              data-testid="mention-option"
              onMouseDown={(e) => {
                e.preventDefault();
                pickMention(m);
              }}
              className={`flex min-h-11 cursor-pointer items-center gap-2 rounded-lg px-2 text-sm text-gray-100 ${i === choice ? 'bg-blue-600/30' : 'hover:bg-white/5'}`}
            >
              <Avatar name={m.name} seed={m.id} size="sm" />
              {m.name}
            </li>
          ))}
        </ul>
      )}
      <div className="flex items-end gap-2">
        <input
          ref={fileRef}
          type="file"
          accept="image/*"
          className="sr-only"
          tabIndex={-1}
          aria-label="Attach image file"
          data-testid="image-input"
          onChange={(e) => {
            pickImage(e.target.files?.[0]);
            e.target.value = '';
          }}
        />
        <IconButton label="Attach image" onClick={() => fileRef.current?.click()}>
          <ImagePlus size={20} aria-hidden="true" />
        </IconButton>
        <EmojiPicker onPick={insertEmoji} onClose={() => textRef.current?.focus()} />
        <label htmlFor={textId} className="sr-only">
          Message
        </label>
        <textarea
          id={textId}
          ref={textRef}
          rows={1}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (members) {
              setQuery(mentionQueryAt(e.target.value, e.target.selectionStart));
              setChoice(0);
            }
            if (e.target.value) onTyping();
            else onStopTyping();
          }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          role={members ? 'combobox' : undefined}
          aria-expanded={members ? suggestions.length > 0 : undefined}
          aria-controls={members ? listId : undefined}
          aria-autocomplete={members ? 'list' : undefined}
          onBlur={onStopTyping}
          placeholder="Write a message"
          className="max-h-40 min-h-11 flex-1 resize-none rounded-xl border border-white/10 bg-gray-900/70 px-3.5 py-2.5 text-[15px] text-gray-100 placeholder:text-gray-400 focus:border-blue-500 focus:outline-none focus-visible:outline-2 focus-visible:outline-blue-400"
        />
        <IconButton label="Send message" type="submit" disabled={!canSend} className="bg-blue-600 text-white hover:bg-blue-500 hover:text-white disabled:bg-gray-700">
          <SendHorizontal size={20} aria-hidden="true" />
        </IconButton>
      </div>
    </form>
  );
}
