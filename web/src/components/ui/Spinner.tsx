export function Spinner({ size = 'md', label }: { size?: 'sm' | 'md'; label?: string }) {
  const dims = size === 'sm' ? 'size-4 border-2' : 'size-6 border-[3px]';
  return (
    <span role={label ? 'status' : undefined} className="inline-flex items-center">
      <span aria-hidden="true" className={`${dims} animate-spin rounded-full border-current border-t-transparent`} />
      {label && <span className="sr-only">{label}</span>}
    </span>
  );
}
