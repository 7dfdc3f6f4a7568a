// The gateway connection as an explicit state machine, with no React and no store imports: the app
// hands it callbacks. Protocol: docs/protocol.md.

export const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  Resume: 3,
  VoiceStateUpdate: 4,
  VoiceServer: 5,
  HeartbeatAck: 6,
  Reconnect: 7,
  Hello: 8,
  PresenceUpdate: 9,
  InvalidSession: 12,
  VoiceSignal: 13,
} as const;

export type GatewayState = "idle" | "connecting" | "identifying" | "ready" | "resuming" | "offline";

export interface GatewayFrame {
  op: number;
  d?: unknown;
  s?: number | null;
  t?: string | null;
}

/** The subset of the browser WebSocket the client uses, so tests can pass a fake. */
export interface SocketLike {
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface GatewayOptions {
  url: string;
  /** A valid access token (the app refreshes it when needed). */
  getToken: () => Promise<string>;
  onDispatch: (t: string, d: unknown) => void;
  /** IDENTIFY's `presence`: the status the user chose, so it survives reconnects (none: the server keeps/defaults it). */
  getPresence?: () => { status: string } | undefined;
  /** Other server → client ops the connection itself does not handle (op 5 VOICE_SERVER). */
  onOp?: (op: number, d: unknown) => void;
  onStateChange?: (state: GatewayState) => void;
  /** The session could not be resumed and a new one is READY: state may have been missed, refetch. */
  onInvalidated?: () => void;
  /** Close 4004 (authentication failed) or 4012 (session revoked): the user must sign in again. */
  onAuthFailed?: (code: number) => void;
  /**
   * Close 4013 (this user holds the maximum number of connections) or 4014 (too many IDENTIFY/RESUME in the
   * last minute): the client waits at least LIMIT_CLOSE_WAIT_MS[code] before trying again; tell the user why.
   */
  onLimited?: (code: number) => void;
  createSocket?: SocketFactory;
  /** Delay before reconnect attempt `attempt` (0-based). */
  backoff?: (attempt: number) => number;
}

/** Closes after which the session cannot be used any more. */
const AUTH_CLOSES = new Set([4004, 4012]);
/** Closes that mean our session state is wrong (client bug): start a fresh session instead of resuming. */
const FRESH_SESSION_CLOSES = new Set([4001, 4002, 4003, 4005, 4007, 4010]);
/** Server limits (docs/protocol.md): reconnecting at once would only be refused again, so wait at least this long. */
export const LIMIT_CLOSE_WAIT_MS: Readonly<Record<number, number>> = { 4013: 30_000, 4014: 60_000 };
/** The server's close after op 7 RECONNECT "draining": it is stopping; reconnect and RESUME elsewhere. */
export const CLOSE_SERVER_DRAINING = 4015;
/** Our own close when the server stopped acknowledging heartbeats. */
export const CLOSE_ZOMBIE = 4900;
const OPEN = 1;

export const defaultBackoff = (attempt: number): number => {
  const base = Math.min(30_000, 1000 * 2 ** attempt);
  return Math.round(base / 2 + Math.random() * (base / 2));
};

export class GatewayClient {
  private readonly opts: GatewayOptions;
  private socket: SocketLike | null = null;
  private _state: GatewayState = "idle";
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private awaitingAck = false;
  private attempt = 0;
  private stopped = true;
  /** Set when the previous session was lost: tell the app to refetch once the new session is READY. */
  private invalidated = false;
  sessionId: string | null = null;
  /** Highest dispatch sequence processed in the current session. */
  seq = 0;

  constructor(opts: GatewayOptions) {
    this.opts = opts;
  }

  get state(): GatewayState {
    return this._state;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  /** Closes for good (sign-out). The session is forgotten. */
  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.sessionId = null;
    this.seq = 0;
    this.invalidated = false;
    this.dropSocket(1000, "client stopped");
    this.setState("idle");
  }

  /** Skip the backoff wait (e.g. the browser came back online). */
  reconnectNow(): void {
    if (this.stopped || this.socket) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.open();
  }

  private setState(state: GatewayState): void {
    if (this._state === state) return;
    this._state = state;
    this.opts.onStateChange?.(state);
  }

  private open(): void {
    this.setState(this.sessionId ? "resuming" : "connecting");
    const factory = this.opts.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    let socket: SocketLike;
    try {
      socket = factory(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      this.onFrame(ev.data);
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.onClose(ev.code);
    };
    socket.onerror = () => {
      // A close event always follows; handle it there.
    };
  }

  private onFrame(raw: unknown): void {
    if (typeof raw !== "string") return;
    let frame: GatewayFrame;
    try {
      frame = JSON.parse(raw) as GatewayFrame;
    } catch {
      return;
    }
    switch (frame.op) {
      case Op.Hello: {
        const interval = (frame.d as { heartbeat_interval?: number } | undefined)?.heartbeat_interval ?? 41_250;
        this.startHeartbeat(interval);
        void this.authenticate();
        break;
      }
      case Op.HeartbeatAck:
        this.awaitingAck = false;
        break;
      case Op.Heartbeat:
        this.sendHeartbeat();
        break;
      case Op.Reconnect:
        if ((frame.d as { reason?: string } | undefined)?.reason === "draining") {
          // The node is stopping (its close 4015 follows): reconnect now, through the load balancer to a live
          // node, and RESUME the same session there; nothing is lost.
          const socket = this.socket;
          this.dropSocket(1000, "server draining");
          if (socket) this.onClose(CLOSE_SERVER_DRAINING);
        } else {
          this.startOver();
        }
        break;
      case Op.InvalidSession:
        this.startOver();
        break;
      case Op.Dispatch:
        this.onDispatch(frame);
        break;
      default:
        this.opts.onOp?.(frame.op, frame.d ?? null);
        break;
    }
  }

  /** The session cannot be resumed; the connection stays open and unidentified: IDENTIFY on it. */
  private startOver(): void {
    this.sessionId = null;
    this.seq = 0;
    this.invalidated = true;
    void this.identify();
  }

  private onDispatch(frame: GatewayFrame): void {
    const t = frame.t ?? "";
    if (typeof frame.s === "number") {
      if (frame.s <= this.seq) return; // already processed (duplicate or replay overlap)
      this.seq = frame.s;
    }
    if (t === "READY") {
      const d = frame.d as { session_id?: string } | null;
      this.sessionId = d?.session_id ?? null;
      this.attempt = 0;
      this.opts.onDispatch(t, frame.d ?? null);
      this.setState("ready");
      if (this.invalidated) {
        this.invalidated = false;
        this.opts.onInvalidated?.();
      }
      return;
    }
    if (t === "RESUMED") {
      this.attempt = 0;
      this.opts.onDispatch(t, null);
      this.setState("ready");
      return;
    }
    this.opts.onDispatch(t, frame.d ?? null);
  }

  private async authenticate(): Promise<void> {
    if (this.sessionId) {
      const socket = this.socket;
      let token: string;
      try {
        token = await this.opts.getToken();
      } catch {
        this.dropSocket(4000, "no token");
        this.scheduleReconnect();
        return;
      }
      if (this.socket !== socket) return;
      this.setState("resuming");
      this.send({ op: Op.Resume, d: { session_id: this.sessionId, token, seq: this.seq } });
    } else {
      await this.identify();
    }
  }

  private async identify(): Promise<void> {
    const socket = this.socket;
    this.setState("identifying");
    let token: string;
    try {
      token = await this.opts.getToken();
    } catch {
      this.dropSocket(4000, "no token");
      this.scheduleReconnect();
      return;
    }
    if (this.socket !== socket) return;
    this.seq = 0; // a new session numbers its dispatches from 1
    const presence = this.opts.getPresence?.();
    this.send({ op: Op.Identify, d: presence ? { token, presence } : { token } });
  }

  private startHeartbeat(interval: number): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.awaitingAck = false;
    this.heartbeatTimer = setInterval(() => {
      if (this.awaitingAck) {
        // No ACK since the last beat: the connection is dead even if the socket has not noticed.
        const socket = this.socket;
        this.dropSocket(CLOSE_ZOMBIE, "heartbeat not acknowledged");
        if (socket) this.onClose(CLOSE_ZOMBIE);
        return;
      }
      this.sendHeartbeat();
    }, interval);
  }

  private sendHeartbeat(): void {
    this.awaitingAck = true;
    this.send({ op: Op.Heartbeat, d: this.seq > 0 ? this.seq : null });
  }

  /**
   * Sends an application op (voice: 4, 13) on the current session. False when there is no READY session
   * to send on (the caller retries after the next READY).
   */
  sendOp(op: number, d: unknown): boolean {
    if (this._state !== "ready" || !this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify({ op, d }));
    return true;
  }

  private send(frame: GatewayFrame): void {
    if (this.socket && this.socket.readyState === OPEN) this.socket.send(JSON.stringify(frame));
  }

  private onClose(code: number): void {
    this.socket = null;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    if (this.stopped) return;
    if (AUTH_CLOSES.has(code)) {
      this.stopped = true;
      this.sessionId = null;
      this.seq = 0;
      this.setState("offline");
      this.opts.onAuthFailed?.(code);
      return;
    }
    if (FRESH_SESSION_CLOSES.has(code) && this.sessionId) {
      this.sessionId = null;
      this.seq = 0;
      this.invalidated = true;
    }
    const minimumWait = LIMIT_CLOSE_WAIT_MS[code] ?? 0;
    if (minimumWait > 0) this.opts.onLimited?.(code);
    this.scheduleReconnect(minimumWait);
  }

  private scheduleReconnect(minimumWait = 0): void {
    if (this.stopped || this.reconnectTimer) return;
    this.setState("offline");
    const delay = Math.max(minimumWait, (this.opts.backoff ?? defaultBackoff)(this.attempt++));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = null;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      try {
        socket.close(code, reason);
      } catch {
        // already closed
      }
    }
  }

  private clearTimers(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.heartbeatTimer = null;
    this.reconnectTimer = null;
  }
}

export function gatewayUrl(loc: { protocol: string; host: string } = window.location): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/gateway?v=1&encoding=json`;
}
