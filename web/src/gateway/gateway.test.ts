import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GatewayClient, type GatewayState, type SocketLike } from "./gateway";

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: { op: number; d?: unknown }[] = [];
  closedWith: number | null = null;
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000) {
    this.closedWith = code;
    this.readyState = 3;
  }
  // server side helpers
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  frame(f: object) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  hello(interval = 1000) {
    this.open();
    this.frame({ op: 8, d: { heartbeat_interval: interval } });
  }
  serverClose(code: number) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  ops(op: number) {
    return this.sent.filter((f) => f.op === op);
  }
}

const flush = () => vi.advanceTimersByTimeAsync(0);

function setup() {
  const dispatched: { t: string; d: unknown }[] = [];
  const states: GatewayState[] = [];
  const onInvalidated = vi.fn();
  const onAuthFailed = vi.fn();
  let token = "tok-1";
  const client = new GatewayClient({
    url: "ws://test/gateway?v=1&encoding=json",
    getToken: async () => token,
    onDispatch: (t, d) => dispatched.push({ t, d }),
    onStateChange: (s) => states.push(s),
    onInvalidated,
    onAuthFailed,
    createSocket: (url) => new FakeSocket(url),
    backoff: () => 500,
  });
  return { client, dispatched, states, onInvalidated, onAuthFailed, setToken: (t: string) => (token = t) };
}

const ready = (s: number, session = "gw_1") => ({ op: 0, s, t: "READY", d: { session_id: session, user: { id: "usr_me" }, communities: [] } });
const msg = (s: number, id: string) => ({ op: 0, s, t: "MESSAGE_CREATE", d: { id } });

async function connectReady(ctx: ReturnType<typeof setup>) {
  ctx.client.start();
  const ws = FakeSocket.all.at(-1)!;
  ws.hello(1000);
  await flush();
  ws.frame(ready(1));
  return ws;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe("GatewayClient", () => {
  it("IDENTIFY carries the status the user chose, read at each identify", async () => {
    let status = "dnd";
    const client = new GatewayClient({
      url: "ws://test/gateway?v=1&encoding=json",
      getToken: async () => "tok-1",
      getPresence: () => ({ status }),
      onDispatch: () => undefined,
      createSocket: (url) => new FakeSocket(url),
      backoff: () => 500,
    });
    client.start();
    const ws = FakeSocket.all[0]!;
    ws.hello();
    await flush();
    expect(ws.ops(2)).toEqual([{ op: 2, d: { token: "tok-1", presence: { status: "dnd" } } }]);
    status = "invisible";
    expect(client.sendOp(9, { status })).toBe(false); // not READY yet: the caller relies on the next IDENTIFY
    client.stop();
  });

  it("identifies after HELLO and becomes ready on READY", async () => {
    const ctx = setup();
    ctx.client.start();
    expect(ctx.client.state).toBe("connecting");
    const ws = FakeSocket.all[0]!;
    expect(ws.url).toContain("/gateway?v=1&encoding=json");
    ws.hello();
    await flush();
    expect(ws.ops(2)).toEqual([{ op: 2, d: { token: "tok-1" } }]);
    expect(ws.ops(3)).toHaveLength(0);
    expect(ctx.client.state).toBe("identifying");
    ws.frame(ready(1));
    expect(ctx.client.state).toBe("ready");
    expect(ctx.client.sessionId).toBe("gw_1");
    expect(ctx.dispatched.map((e) => e.t)).toEqual(["READY"]);
    expect(ctx.states).toEqual(["connecting", "identifying", "ready"]);
  });

  it("heartbeats at the announced interval with the last seq, and drops a connection that stops acking", async () => {
    const ctx = setup();
    const ws = await connectReady(ctx);
    ws.frame(msg(2, "10"));
    expect(ws.ops(1)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(999);
    expect(ws.ops(1)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(ws.ops(1)).toEqual([{ op: 1, d: 2 }]);
    ws.frame({ op: 6 });
    ws.frame(msg(3, "11"));
    await vi.advanceTimersByTimeAsync(1000);
    expect(ws.ops(1)).toEqual([{ op: 1, d: 2 }, { op: 1, d: 3 }]);
    // no ACK for the second beat: the next tick closes the socket and starts a resume
    await vi.advanceTimersByTimeAsync(1000);
    expect(ws.ops(1)).toHaveLength(2);
    expect(ws.closedWith).toBe(4900);
    expect(ctx.client.state).toBe("offline");
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.all).toHaveLength(2);
    expect(ctx.client.state).toBe("resuming");
  });

  it("answers a server HEARTBEAT request immediately", async () => {
    const ctx = setup();
    const ws = await connectReady(ctx);
    ws.frame({ op: 1 });
    expect(ws.ops(1)).toEqual([{ op: 1, d: 1 }]);
  });

  it("resumes after a drop with the session id and the last processed seq", async () => {
    const ctx = setup();
    const ws = await connectReady(ctx);
    ws.frame(msg(2, "10"));
    ws.frame(msg(3, "11"));
    ctx.setToken("tok-2");
    ws.serverClose(1006);
    expect(ctx.client.state).toBe("offline");
    await vi.advanceTimersByTimeAsync(499);
    expect(FakeSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const ws2 = FakeSocket.all[1]!;
    expect(ctx.client.state).toBe("resuming");
    ws2.hello();
    await flush();
    expect(ws2.ops(2)).toHaveLength(0);
    expect(ws2.ops(3)).toEqual([{ op: 3, d: { session_id: "gw_1", token: "tok-2", seq: 3 } }]);
    // replay overlaps what we already had (3), then new events, then RESUMED
    ws2.frame(msg(3, "11"));
    ws2.frame(msg(4, "12"));
    ws2.frame({ op: 0, t: "RESUMED", d: null });
    expect(ctx.client.state).toBe("ready");
    expect(ctx.dispatched.map((e) => e.t + ":" + ((e.d as { id?: string } | null)?.id ?? ""))).toEqual([
      "READY:",
      "MESSAGE_CREATE:10",
      "MESSAGE_CREATE:11",
      "MESSAGE_CREATE:12",
      "RESUMED:",
    ]);
    expect(ctx.onInvalidated).not.toHaveBeenCalled();
  });

  it("resumes after 4009 and 4011 too", async () => {
    for (const code of [4000, 4009, 4011, 4015]) {
      FakeSocket.all = [];
      const ctx = setup();
      const ws = await connectReady(ctx);
      ws.serverClose(code);
      await vi.advanceTimersByTimeAsync(500);
      const ws2 = FakeSocket.all[1]!;
      ws2.hello();
      await flush();
      expect(ws2.ops(3)).toHaveLength(1);
      ctx.client.stop();
    }
  });

  it("drops duplicate dispatches by seq", async () => {
    const ctx = setup();
    const ws = await connectReady(ctx);
    ws.frame(msg(2, "10"));
    ws.frame(msg(2, "10"));
    ws.frame(msg(1, "9"));
    ws.frame(msg(3, "11"));
    expect(ctx.dispatched.filter((e) => e.t === "MESSAGE_CREATE")).toHaveLength(2);
    expect(ctx.client.seq).toBe(3);
  });

  it("on op 7 RECONNECT draining reconnects at once and RESUMEs the same session (the node is stopping)", async () => {
    const ctx = setup();
    const ws = await connectReady(ctx);
    ws.frame(msg(2, "10"));
    ws.frame({ op: 7, d: { reason: "draining" } });
    await flush();
    expect(ws.closedWith).toBe(1000);
    expect(ws.ops(2)).toHaveLength(1); // only the first IDENTIFY: no re-identify on a stopping node
    expect(ctx.client.state).toBe("offline");
    expect(ctx.client.sessionId).toBe("gw_1");
    ws.serverClose(4015); // the server's close that follows is ignored: the client already moved on
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeSocket.all).toHaveLength(2);
    const ws2 = FakeSocket.all[1]!;
    ws2.hello();
    await flush();
    expect(ws2.ops(2)).toHaveLength(0);
    expect(ws2.ops(3)).toEqual([{ op: 3, d: { session_id: "gw_1", token: "tok-1", seq: 2 } }]);
    ws2.frame({ op: 0, t: "RESUMED", d: null });
    expect(ctx.client.state).toBe("ready");
    expect(ctx.onInvalidated).not.toHaveBeenCalled();
  });

  it("on op 7 RECONNECT re-identifies on the same connection and asks the app to refetch once READY", async () => {
    const ctx = setup();
    const ws = await connectReady(ctx);
    ws.frame(msg(2, "10"));
    ws.serverClose(1006);
    await vi.advanceTimersByTimeAsync(500);
    const ws2 = FakeSocket.all[1]!;
    ws2.hello();
    await flush();
    expect(ws2.ops(3)).toHaveLength(1);
    ws2.frame({ op: 7, d: { reason: "session_expired" } });
    await flush();
    expect(ws2.ops(2)).toEqual([{ op: 2, d: { token: "tok-1" } }]);
    expect(ctx.client.state).toBe("identifying");
    expect(ctx.onInvalidated).not.toHaveBeenCalled();
    // the new session numbers from 1 again; it must not be dropped as a duplicate
    ws2.frame(ready(1, "gw_2"));
    expect(ctx.client.state).toBe("ready");
    expect(ctx.client.sessionId).toBe("gw_2");
    expect(ctx.onInvalidated).toHaveBeenCalledTimes(1);
    ws2.frame(msg(2, "20"));
    expect(ctx.dispatched.at(-1)).toEqual({ t: "MESSAGE_CREATE", d: { id: "20" } });
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("stops and reports sign-out on 4004 and 4012 without reconnecting", async () => {
    for (const code of [4004, 4012]) {
      FakeSocket.all = [];
      const ctx = setup();
      const ws = await connectReady(ctx);
      ws.serverClose(code);
      expect(ctx.onAuthFailed).toHaveBeenCalledWith(code);
      expect(ctx.client.state).toBe("offline");
      await vi.advanceTimersByTimeAsync(60_000);
      expect(FakeSocket.all).toHaveLength(1);
    }
  });

  it("waits at least 30 s after 4013 and 60 s after 4014 before reconnecting, and reports why", async () => {
    for (const [code, wait] of [
      [4013, 30_000],
      [4014, 60_000],
    ] as const) {
      FakeSocket.all = [];
      const onLimited = vi.fn();
      const client = new GatewayClient({
        url: "ws://test/gateway?v=1&encoding=json",
        getToken: async () => "tok-1",
        onDispatch: () => {},
        onLimited,
        createSocket: (url) => new FakeSocket(url),
        backoff: () => 500,
      });
      client.start();
      const ws = FakeSocket.all[0]!;
      ws.hello();
      await flush();
      ws.serverClose(code);
      expect(onLimited).toHaveBeenCalledWith(code);
      expect(client.state).toBe("offline");
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(FakeSocket.all).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(FakeSocket.all).toHaveLength(2);
      client.stop();
    }
  });

  it("stop() closes the socket and forgets the session", async () => {
    const ctx = setup();
    const ws = await connectReady(ctx);
    ctx.client.stop();
    expect(ws.closedWith).toBe(1000);
    expect(ctx.client.state).toBe("idle");
    expect(ctx.client.sessionId).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(ws.ops(1)).toHaveLength(0);
  });

  it("sends voice ops only on a READY session and hands op 5 to onOp", async () => {
    const ops: { op: number; d: unknown }[] = [];
    const client = new GatewayClient({
      url: "ws://test/gateway",
      getToken: async () => "tok",
      onDispatch: () => undefined,
      onOp: (op, d) => ops.push({ op, d }),
      createSocket: (url) => new FakeSocket(url),
      backoff: () => 500,
    });
    client.start();
    const ws = FakeSocket.all.at(-1)!;
    ws.hello();
    await flush();
    expect(client.sendOp(4, { channel_id: "ch_1" })).toBe(false);
    ws.frame(ready(1));
    expect(client.sendOp(4, { channel_id: "ch_1", self_mute: false, self_deaf: false })).toBe(true);
    expect(ws.ops(4)).toEqual([{ op: 4, d: { channel_id: "ch_1", self_mute: false, self_deaf: false } }]);
    ws.frame({ op: 5, d: { channel_id: "ch_1", voice_session_id: "vs_1", ice_servers: [], ttl: 60 } });
    expect(ops).toEqual([{ op: 5, d: { channel_id: "ch_1", voice_session_id: "vs_1", ice_servers: [], ttl: 60 } }]);
    ws.serverClose(1006);
    expect(client.sendOp(13, {})).toBe(false);
    client.stop();
  });
});
