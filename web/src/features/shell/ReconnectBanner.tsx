import { useUi } from "../../stores/ui";

export function ReconnectBanner() {
  const state = useUi((s) => s.gateway);
  const limit = useUi((s) => s.gatewayLimit);
  if (state === "ready" || state === "idle") return null;
  if (limit) {
    return (
      <div role="status" aria-live="polite" data-testid="reconnect-banner" data-state={state} className="bg-warn px-3 py-1 text-center text-sm text-fg">
        {limit}
      </div>
    );
  }
  const text = state === "connecting" || state === "identifying" ? "Connecting…" : "Reconnecting…";
  return (
    <div role="status" aria-live="polite" data-testid="reconnect-banner" data-state={state} className="bg-warn px-3 py-1 text-center text-sm text-fg">
      {text} Messages will catch up when the connection is back.
    </div>
  );
}
