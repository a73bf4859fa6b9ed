import type { ReactNode } from 'react';
import { MessagesSquare } from 'lucide-react';

/** Centered glass card with the brand, shared by the login and verify screens. */
export function AuthLayout({ title, subtitle, children }: { title: string; subtitle: ReactNode; children: ReactNode }) {
  return (
    <main className="flex min-h-full items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex items-center justify-center gap-2 text-gray-100">
          <span className="inline-flex size-10 items-center justify-center rounded-xl bg-blue-600 shadow-lg shadow-blue-600/30">
            <MessagesSquare size={22} aria-hidden="true" />
          </span>
          <span className="text-2xl font-semibold tracking-tight">natter</span>
        </div>
        <section className="glass rounded-2xl p-6 shadow-2xl shadow-black/40 sm:p-8">
          <h1 className="text-xl font-semibold text-white">{title}</h1>
          <p className="mt-1 text-sm text-gray-300">{subtitle}</p>
          <div className="mt-6">{children}</div>
        </section>
        <p className="mt-6 text-center text-xs text-gray-400">Self-hosted, private, real-time.</p>
      </div>
    </main>
  );
}
