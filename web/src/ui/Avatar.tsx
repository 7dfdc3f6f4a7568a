const palette = ["bg-indigo-500", "bg-emerald-600", "bg-rose-500", "bg-amber-600", "bg-sky-600", "bg-fuchsia-600", "bg-teal-600"];

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

export function Avatar({ id, name, size = "md" }: { id: string; name: string; size?: "xs" | "sm" | "md" }) {
  const dims = size === "xs" ? "h-6 w-6 text-xs" : size === "sm" ? "h-8 w-8 text-sm" : "h-10 w-10 text-base";
  return (
    <span aria-hidden="true" className={`inline-flex shrink-0 select-none items-center justify-center rounded-full font-semibold text-white ${dims} ${palette[hash(id) % palette.length]}`}>
      {(name.trim()[0] ?? "?").toUpperCase()}
    </span>
  );
}
