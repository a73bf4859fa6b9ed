/** Initial-letter avatar; the colour is derived from the id so it is stable per person. */
const palette = ['bg-blue-600', 'bg-indigo-600', 'bg-violet-600', 'bg-teal-700', 'bg-emerald-700', 'bg-rose-700', 'bg-amber-700'];

function colourFor(seed: string): string {
  let hash = 0;
  for (let i = 0; i < seed.length; i++) hash = (hash * 31 + seed.charCodeAt(i)) | 0;
  return palette[Math.abs(hash) % palette.length] ?? 'bg-blue-600';
}

export function Avatar({ name, seed, size = 'md' }: { name: string; seed: string; size?: 'sm' | 'md' | 'lg' }) {
  const initial = (name.trim()[0] ?? '?').toUpperCase();
  const dims = size === 'lg' ? 'size-16 text-2xl' : size === 'sm' ? 'size-9 text-sm' : 'size-11 text-base';
  return (
    <span
      aria-hidden="true"
      className={`inline-flex shrink-0 items-center justify-center rounded-full font-semibold text-white ${dims} ${colourFor(seed)}`}
    >
      {initial}
    </span>
  );
}
