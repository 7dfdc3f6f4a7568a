import { useUi } from "../../stores/ui";
import { useTranslation } from "react-i18next";

export function ReconnectBanner() {
  const { t } = useTranslation("shell");
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
  const text = state === "connecting" || state === "identifying" ? t("connecting") : t("reconnecting");
  return (
    <div role="status" aria-live="polite" data-testid="reconnect-banner" data-state={state} className="bg-warn px-3 py-1 text-center text-sm text-fg">
      {text} {t("catchUp")}
    </div>
  );
}
