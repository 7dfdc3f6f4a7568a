// Reporting the user's own status: op 9 within the server's limit, and auto-idle after 5 minutes without input.
import type { ChosenStatus } from "../api/types";
import { AUTO_IDLE_MS } from "../stores/presence";

/** The server allows 5 op 9 per minute per connection (closing 4008 beyond); stay one below. */
export const REPORTS_PER_MINUTE = 4;

/**
 * Sends op 9 PRESENCE_UPDATE, at most REPORTS_PER_MINUTE a minute: a change over the limit waits for a slot, and
 * only the newest waiting status is sent (clicking through the menu sends the last pick).
 */
export class PresenceReporter {
  private sent: number[] = [];
  private waiting: ChosenStatus | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (status: ChosenStatus) => boolean,
    private readonly now: () => number = () => Date.now(),
  ) {}

  report(status: ChosenStatus): void {
    this.waiting = status;
    this.flush();
  }

  private flush(): void {
    if (this.waiting === null || this.timer) return;
    const now = this.now();
    this.sent = this.sent.filter((t) => now - t < 60_000);
    if (this.sent.length >= REPORTS_PER_MINUTE) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, (this.sent[0] ?? now) + 60_000 - now);
      return;
    }
    // Not connected: the next IDENTIFY carries the wanted status anyway.
    if (this.send(this.waiting)) this.sent.push(now);
    this.waiting = null;
  }
}

/** Calls onIdle after AUTO_IDLE_MS without mouse, keyboard or touch input, and onActive at the next input. */
export function watchActivity(onIdle: () => void, onActive: () => void, target: Window = window): () => void {
  let idle = false;
  let last = 0;
  let timer = setTimeout(fire, AUTO_IDLE_MS);
  function fire() {
    idle = true;
    onIdle();
  }
  function input() {
    const now = Date.now();
    if (idle) {
      idle = false;
      onActive();
    } else if (now - last < 1000) {
      return; // mousemove fires constantly; re-arming once a second is plenty
    }
    last = now;
    clearTimeout(timer);
    timer = setTimeout(fire, AUTO_IDLE_MS);
  }
  const events = ["mousemove", "keydown", "pointerdown", "wheel", "touchstart", "focus"];
  for (const e of events) target.addEventListener(e, input, { passive: true });
  return () => {
    clearTimeout(timer);
    for (const e of events) target.removeEventListener(e, input);
  };
}
