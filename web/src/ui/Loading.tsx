export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div role="status" className="flex h-full items-center justify-center text-muted">
      {label}
    </div>
  );
}
