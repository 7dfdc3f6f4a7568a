import { voice } from "../../app/runtime";
import { useChannels } from "../../stores/channels";
import { useSession } from "../../stores/session";
import { useVoice, voiceDot, voiceDotText, type VoiceDot } from "../../stores/voice";
import { HangUpIcon, MicIcon } from "./icons";
import { useTranslation } from "react-i18next";

const dotClass: Record<VoiceDot, string> = {
  connecting: "bg-amber-500",
  reconnecting: "bg-amber-500 animate-pulse",
  muted: "bg-danger",
  speaking: "bg-speaking ring-2 ring-speaking/40",
  connected: "bg-ok",
};

const textClass: Record<VoiceDot, string> = {
  connecting: "text-amber-500",
  reconnecting: "text-amber-500",
  muted: "text-danger",
  speaking: "text-ok",
  connected: "text-ok",
};

/**
 * The call in the main view on narrow screens, where the voice bar sits in the closed channel drawer: channel,
 * one status dot, Mute and Disconnect. It is a row in the page's flow (not an overlay), so it never covers the
 * composer; from `md` up the sidebar's voice bar is always visible and this is hidden.
 */
export function VoiceIndicator() {
  const { t } = useTranslation("voice");
  const phase = useVoice((s) => s.phase);
  const channelId = useVoice((s) => s.channelId);
  const communityId = useVoice((s) => s.communityId);
  const selfMute = useVoice((s) => s.selfMute);
  const selfDeaf = useVoice((s) => s.selfDeaf);
  const me = useSession((s) => s.user?.id);
  const serverMute = useVoice((s) => !!(communityId && me && s.states[communityId]?.[me]?.server_mute));
  const speaking = useVoice((s) => !!(me && s.speaking[me]));
  const channel = useChannels((s) => (channelId ? s.byId[channelId] : undefined));
  if (phase === "idle" || !channelId) return null;

  const muted = selfMute || selfDeaf;
  const dot = voiceDot({ phase, selfMute, selfDeaf, serverMute, speaking });
  return (
    <section
      aria-label={t("call")}
      data-testid="voice-indicator"
      className="flex h-11 shrink-0 items-center gap-2 border-b border-line bg-elevated px-3 md:hidden"
    >
      <span aria-hidden="true" data-testid="voice-indicator-dot" data-state={dot} className={`h-2.5 w-2.5 shrink-0 rounded-full ${dotClass[dot]}`} />
      <div className="min-w-0 flex-1 leading-tight">
        <div className="truncate text-sm font-semibold" data-testid="voice-indicator-channel">
          🔊 {channel ? channel.name : t("voice")}
        </div>
        <div role="status" className={`truncate text-xs ${textClass[dot]}`} data-testid="voice-indicator-status">
          {voiceDotText[dot]}
        </div>
      </div>
      <button
        type="button"
        aria-label={t("mute")}
        aria-pressed={muted}
        title={muted ? t("unmute") : t("mute")}
        onClick={() => voice.setSelfMute(!muted)}
        className={`inline-flex h-9 w-9 shrink-0 items-center justify-center rounded ${muted ? "bg-danger/20 text-danger" : "text-fg hover:bg-hover"}`}
      >
        <MicIcon off={muted} className="h-5 w-5" />
      </button>
      <button
        type="button"
        aria-label={t("disconnect")}
        title={t("disconnect")}
        onClick={() => voice.leave()}
        className="inline-flex h-9 w-9 shrink-0 items-center justify-center rounded bg-danger/15 text-danger hover:bg-danger/25"
      >
        <HangUpIcon className="h-5 w-5" />
      </button>
    </section>
  );
}
