import { useState } from "react";
import type { PresenceStatus } from "../api/types";
import i18n from "../i18n";

const palette = ["bg-indigo-500", "bg-emerald-600", "bg-rose-500", "bg-amber-600", "bg-sky-600", "bg-fuchsia-600", "bg-teal-600"];

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

const DOT: Record<PresenceStatus, string> = {
  online: "bg-emerald-500",
  idle: "bg-amber-400",
  dnd: "bg-rose-500",
  invisible: "bg-zinc-400",
  offline: "bg-zinc-400",
};

/** The coloured presence dot (green online, yellow idle, red with a bar dnd, grey offline/invisible). */
export function PresenceDot({ status, className = "" }: { status: PresenceStatus; className?: string }) {
  return (
    <span
      role="img"
      aria-label={i18n.t(`common:presence.${status}`)}
      title={i18n.t(`common:presence.${status}`)}
      data-testid="presence-dot"
      data-status={status}
      className={`inline-flex h-3 w-3 items-center justify-center rounded-full ring-2 ring-sidebar ${DOT[status]} ${className}`}
    >
      {status === "dnd" ? <span className="block h-0.5 w-1.5 rounded bg-white" /> : null}
      {status === "idle" ? <span className="-ml-1 -mt-1 block h-1.5 w-1.5 rounded-full bg-sidebar" /> : null}
    </span>
  );
}

/**
 * A person's picture (their avatar when they have one, else their initial on a colour of their id), with their presence
 * dot when given. Decorative: the name beside it says who it is.
 */
export function Avatar({
  id,
  name,
  url,
  size = "md",
  status,
}: {
  id: string;
  name: string;
  url?: string | null;
  size?: "xs" | "sm" | "md" | "lg";
  status?: PresenceStatus;
}) {
  const [failed, setFailed] = useState<string | null>(null);
  const dims = size === "xs" ? "h-6 w-6 text-xs" : size === "sm" ? "h-8 w-8 text-sm" : size === "lg" ? "h-20 w-20 text-3xl" : "h-10 w-10 text-base";
  const face =
    url && failed !== url ? (
      <img
        src={url}
        alt=""
        data-testid="avatar-image"
        draggable={false}
        onError={() => setFailed(url)}
        className={`shrink-0 select-none rounded-full bg-hover object-cover ${dims}`}
      />
    ) : (
      <span aria-hidden="true" className={`inline-flex shrink-0 select-none items-center justify-center rounded-full font-semibold text-white ${dims} ${palette[hash(id) % palette.length]}`}>
        {(name.trim()[0] ?? "?").toUpperCase()}
      </span>
    );
  if (!status) return face;
  return (
    <span className="relative inline-flex shrink-0">
      {face}
      <PresenceDot status={status} className="absolute -bottom-0.5 -right-0.5" />
    </span>
  );
}
