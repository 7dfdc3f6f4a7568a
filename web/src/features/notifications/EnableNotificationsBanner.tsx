import { requestNotifications } from "../../notifications/runtime";
import { shouldOfferNotifications, useNotifications } from "../../notifications/store";
import { Button } from "../../ui/Button";

/** Offers desktop notifications once the person has done something (sent a message, opened notification settings); never on first load. */
export function EnableNotificationsBanner() {
  const offer = useNotifications(shouldOfferNotifications);
  const dismiss = useNotifications((s) => s.dismissBanner);
  if (!offer) return null;
  return (
    <div role="region" aria-label="Desktop notifications" data-testid="enable-notifications-banner" className="flex flex-wrap items-center gap-x-3 gap-y-1 bg-accent px-4 py-2 text-sm text-white">
      <span className="min-w-48 flex-1">Get notified about mentions while Voxora is in the background.</span>
      <Button variant="secondary" onClick={() => void requestNotifications()} data-testid="enable-notifications">
        Enable desktop notifications
      </Button>
      <Button variant="ghost" className="text-white" onClick={dismiss} aria-label="Dismiss">
        Not now
      </Button>
    </div>
  );
}
