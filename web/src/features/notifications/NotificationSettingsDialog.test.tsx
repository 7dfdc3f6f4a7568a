import { describe, expect, it } from "vitest";
import { settingsRequest } from "./NotificationSettingsDialog";

const NOW = Date.parse("2026-12-03T12:00:00Z");

describe("the notification settings dialog's request", () => {
  it("sends the level alone when not muted", () => {
    expect(settingsRequest("all", "none", null, NOW)).toEqual({ level: "all" });
  });

  it("keeps a running mute, and drops one that has none", () => {
    expect(settingsRequest("mentions", "keep", "2026-12-03T13:00:00.000Z", NOW)).toEqual({ level: "mentions", muted_until: "2026-12-03T13:00:00.000Z" });
    expect(settingsRequest("mentions", "keep", null, NOW)).toEqual({ level: "mentions" });
  });

  it("turns 15 min / 1 h / 8 h / 24 h into an end time and 'until I turn it back on' into nothing", () => {
    expect(settingsRequest("all", "0", null, NOW).muted_until).toBe("2026-12-03T12:15:00.000Z");
    expect(settingsRequest("all", "1", null, NOW).muted_until).toBe("2026-12-03T13:00:00.000Z");
    expect(settingsRequest("all", "2", null, NOW).muted_until).toBe("2026-12-03T20:00:00.000Z");
    expect(settingsRequest("all", "3", null, NOW).muted_until).toBe("2026-12-04T12:00:00.000Z");
    expect(settingsRequest("all", "4", null, NOW)).toEqual({ level: "nothing" });
  });
});
