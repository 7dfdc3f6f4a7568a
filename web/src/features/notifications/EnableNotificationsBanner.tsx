import { requestNotifications } from "../../notifications/runtime";
import { shouldOfferNotifications, useNotifications } from "../../notifications/store";
import { Button } from "../../ui/Button";
import { useTranslation } from "react-i18next";

/** Offers desktop notifications once the person has done something (sent a message, opened notification settings); never on first load. */
export function EnableNotificationsBanner() {
  const { t } = useTranslation("notifications");
  const offer = useNotifications(shouldOfferNotifications);
  const dismiss = useNotifications((s) => s.dismissBanner);
  if (!offer) return null;
  return (
    <div role="region" aria-label={t("desktopNotifications")} data-testid="enable-notifications-banner" className="flex flex-wrap items-center gap-x-3 gap-y-1 bg-accent px-4 py-2 text-sm text-white">
      <span className="min-w-48 flex-1">{t("bannerText")}</span>
      <Button variant="secondary" onClick={() => void requestNotifications()} data-testid="enable-notifications">
        {t("enable")}
      </Button>
      <Button variant="ghost" className="text-white" onClick={dismiss} aria-label={t("dismiss")}>
        {t("notNow")}
      </Button>
    </div>
  );
}
