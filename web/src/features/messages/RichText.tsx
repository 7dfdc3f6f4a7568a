import { Fragment, useMemo } from "react";
import { displayName, useMembers } from "../../stores/members";
import { linkLabel, stripBidiControls } from "../../ui/safeText";
import { tokenize } from "./content";

export function RichText({ content, myId }: { content: string; myId: string | undefined }) {
  const tokens = useMemo(() => tokenize(content), [content]);
  const users = useMembers((s) => s.users);
  return (
    <>
      {tokens.map((t, i) => {
        if (t.kind === "text") return <Fragment key={i}>{stripBidiControls(t.text)}</Fragment>;
        if (t.kind === "link") {
          // When the text could pass for another address, the real one is shown beside it, not only on hover.
          const label = linkLabel(t.text, t.href);
          return (
            <a key={i} href={t.href} title={t.href} target="_blank" rel="noopener noreferrer nofollow" className="break-all text-sky-500 underline hover:text-sky-400">
              <bdi>{label.text}</bdi>
              {label.target ? (
                <span data-testid="link-target" className="text-muted">
                  {" "}(leads to <bdi>{label.target}</bdi>)
                </span>
              ) : null}
            </a>
          );
        }
        const user = users[t.userId];
        const mine = t.userId === myId;
        return (
          <span
            key={i}
            data-testid="mention"
            data-me={mine ? "true" : "false"}
            className={`rounded px-0.5 font-medium ${mine ? "bg-amber-400/40 text-fg ring-1 ring-amber-400" : "bg-mention text-mention-fg"}`}
          >
            @<bdi>{user ? displayName(user) : "unknown user"}</bdi>
          </span>
        );
      })}
    </>
  );
}
