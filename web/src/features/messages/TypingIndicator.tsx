import { useEffect, useState } from "react";
import { useSession } from "../../stores/session";
import { typingText, typistsAt, useTyping } from "../../stores/typing";

/**
 * The line under the composer saying who is typing in the channel. Each typist goes 8 s after their last
 * TYPING_START (or when their message arrives, see stores/dispatch.ts); a timer re-renders at the next expiry.
 * The line keeps its height when empty, so the composer does not jump.
 */
export function TypingIndicator({ channelId }: { channelId: string }) {
  const list = useTyping((s) => s.byChannel[channelId]);
  const myId = useSession((s) => s.user?.id ?? null);
  const [, setTick] = useState(0);
  const live = typistsAt(list, Date.now(), myId);
  const text = typingText(live.map((t) => t.name));
  const nextExpiry = live.length > 0 ? Math.min(...live.map((t) => t.expiresAt)) : null;

  useEffect(() => {
    if (nextExpiry === null) return;
    const timer = setTimeout(() => setTick((n) => n + 1), Math.max(0, nextExpiry - Date.now()) + 20);
    return () => clearTimeout(timer);
  }, [nextExpiry]);

  return (
    <p aria-live="polite" data-testid="typing-indicator" className="flex h-5 items-center gap-1 truncate px-1 text-xs text-muted">
      {text ? (
        <>
          <span aria-hidden="true" className="inline-flex gap-0.5">
            <span className="size-1 animate-bounce rounded-full bg-current" />
            <span className="size-1 animate-bounce rounded-full bg-current [animation-delay:150ms]" />
            <span className="size-1 animate-bounce rounded-full bg-current [animation-delay:300ms]" />
          </span>
          <bdi className="truncate font-medium">{text}</bdi>
        </>
      ) : null}
    </p>
  );
}
