import { Fragment, useMemo } from "react";
import { displayName, useMembers } from "../../stores/members";
import { tokenize } from "./content";

export function RichText({ content, myId }: { content: string; myId: string | undefined }) {
  const tokens = useMemo(() => tokenize(content), [content]);
  const users = useMembers((s) => s.users);
  return (
    <>
      {tokens.map((t, i) => {
        if (t.kind === "text") return <Fragment key={i}>{t.text}</Fragment>;
        if (t.kind === "link")
          return (
            <a key={i} href={t.href} target="_blank" rel="noopener noreferrer nofollow" className="break-all text-sky-500 underline hover:text-sky-400">
              {t.text}
            </a>
          );
        const user = users[t.userId];
        const mine = t.userId === myId;
        return (
          <span
            key={i}
            data-testid="mention"
            data-me={mine ? "true" : "false"}
            className={`rounded px-0.5 font-medium ${mine ? "bg-amber-400/40 text-fg ring-1 ring-amber-400" : "bg-mention text-mention-fg"}`}
          >
            @{user ? displayName(user) : "unknown user"}
          </span>
        );
      })}
    </>
  );
}
