import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { CircleAlert, Info, X } from 'lucide-react';

type Tone = 'error' | 'info';
interface ToastItem {
  id: number;
  text: string;
  tone: Tone;
}
interface ToastApi {
  show: (text: string, tone?: Tone) => void;
}

const ToastContext = createContext<ToastApi>({ show: () => undefined });

export function useToast(): ToastApi {
  return useContext(ToastContext);
}

/** Small toast stack at the top of the page: errors (red, an icon, role=alert) stay 6 s, info 3 s; each can be dismissed. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastItem[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  const show = useCallback(
    (text: string, tone: Tone = 'error') => {
      const id = nextId.current++;
      setToasts((list) => [...list.filter((t) => t.text !== text), { id, text, tone }].slice(-4));
      setTimeout(() => dismiss(id), tone === 'error' ? 6000 : 3000);
    },
    [dismiss],
  );
  const api = useMemo(() => ({ show }), [show]);

  return (
    <ToastContext.Provider value={api}>
      {/* In the page's flow at the top, not floating over it: a toast pushes the app down
          for its few seconds and covers neither the header nor the composer. */}
      <div className="flex h-full flex-col">
        <div
          className="flex shrink-0 flex-col items-center gap-2 px-4 empty:hidden [&:not(:empty)]:py-2"
          role="region"
          aria-label="Alerts"
          data-testid="toasts"
        >
          {toasts.map((t) => (
            <div
              key={t.id}
              role={t.tone === 'error' ? 'alert' : 'status'}
              data-tone={t.tone}
              className={`flex max-w-md items-center gap-3 rounded-xl border py-1 pr-1 pl-3 text-sm shadow-lg shadow-black/40 ${
                t.tone === 'error' ? 'border-red-400/60 bg-red-950 text-red-50' : 'border-white/10 bg-gray-800 text-gray-100'
              }`}
            >
              {t.tone === 'error' ? (
                <CircleAlert size={18} aria-hidden="true" className="shrink-0 text-red-300" />
              ) : (
                <Info size={18} aria-hidden="true" className="shrink-0 text-blue-300" />
              )}
              <span>{t.tone === 'error' && <span className="sr-only">Error: </span>}{t.text}</span>
              <button
                type="button"
                aria-label="Dismiss notification"
                onClick={() => dismiss(t.id)}
                className={`inline-flex size-11 shrink-0 items-center justify-center rounded-lg focus-visible:-outline-offset-2 ${
                  t.tone === 'error' ? 'text-red-200 hover:text-white' : 'text-gray-300 hover:text-white'
                }`}
              >
                <X size={16} aria-hidden="true" />
              </button>
            </div>
          ))}
        </div>
        <div className="min-h-0 flex-1">{children}</div>
      </div>
    </ToastContext.Provider>
  );
}
