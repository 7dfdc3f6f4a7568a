import { useEffect, useRef, useState } from "react";
import type { ChosenStatus, User } from "../../api/types";
import { setMyStatus } from "../../app/runtime";
import { displayName } from "../../stores/members";
import { usePresenceStore } from "../../stores/presence";
import { Avatar, PresenceDot } from "../../ui/Avatar";
import { useTranslation } from "react-i18next";

const CHOICES: { status: ChosenStatus; hint: "" | "dndHint" | "invisibleHint" }[] = [
  { status: "online", hint: "" },
  { status: "idle", hint: "" },
  { status: "dnd", hint: "dndHint" },
  { status: "invisible", hint: "invisibleHint" },
];

/** The user's avatar in the user panel; clicking it picks a status (online, idle, do not disturb, invisible). */
export function StatusPicker({ me }: { me: User }) {
  const { t } = useTranslation("shell");
  const myStatus = usePresenceStore((s) => s.myStatus);
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    const escape = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", escape);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", escape);
    };
  }, [open]);
  return (
    <div ref={box} className="relative">
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={t("statusChange", { status: t(`presence.${myStatus}`) })}
        data-testid="status-picker"
        onClick={() => setOpen((o) => !o)}
        className="rounded-full"
      >
        <Avatar id={me.id} name={displayName(me)} url={me.avatar_url} size="sm" status={myStatus} />
      </button>
      {open ? (
        <ul role="menu" aria-label={t("setStatus")} className="absolute bottom-10 left-0 z-20 w-56 rounded-md border border-line bg-elevated p-1 shadow-lg">
          {CHOICES.map(({ status, hint }) => (
            <li key={status} role="none">
              <button
                type="button"
                role="menuitemradio"
                aria-checked={myStatus === status}
                data-testid={`status-${status}`}
                onClick={() => {
                  setMyStatus(status);
                  setOpen(false);
                }}
                className="flex w-full items-center gap-2 rounded px-2 py-1.5 text-left text-sm hover:bg-hover"
              >
                <PresenceDot status={status} />
                <span className="flex flex-col">
                  <span>{t(`presence.${status}`)}</span>
                  {hint ? <span className="text-xs text-muted">{t(hint)}</span> : null}
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
