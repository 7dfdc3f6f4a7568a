import { voice } from "../../app/runtime";
import { useChannels } from "../../stores/channels";
import { useCommunities } from "../../stores/communities";
import { useSession } from "../../stores/session";
import { qualityLabel, useVoice, type VoicePhase } from "../../stores/voice";
import { keyLabel, useVoiceSettings } from "../../voice/settings";
import { HangUpIcon, HeadphonesIcon, MicIcon } from "./icons";
import { useTranslation } from "react-i18next";
import { formatNumber } from "../../i18n/format";

const phaseKey: Record<VoicePhase, "connecting" | "connected" | "reconnecting" | null> = {
  idle: null,
  connecting: "connecting",
  connected: "connected",
  reconnecting: "reconnecting",
};

/** Something voice needs the user to read: a refused join, a denied microphone, a failed moderator action. */
export function VoiceAlert() {
  const { t } = useTranslation("voice");
  const alert = useVoice((s) => s.alert);
  const setAlert = useVoice((s) => s.setAlert);
  if (!alert) return null;
  return (
    <div role="alert" data-testid="voice-alert" className="mx-2 mb-2 flex items-start gap-2 rounded border border-danger bg-warn p-2 text-sm text-fg">
      <span className="min-w-0 flex-1 [overflow-wrap:anywhere]">{alert}</span>
      <button type="button" aria-label={t("dismiss")} onClick={() => setAlert(null)} className="shrink-0 rounded px-1 text-muted hover:text-fg">
        ✕
      </button>
    </div>
  );
}

/** The bar at the bottom of the sidebar while in voice: where, how well, and mute / deafen / disconnect. */
export function VoiceBar() {
  const { t } = useTranslation("voice");
  const phase = useVoice((s) => s.phase);
  const channelId = useVoice((s) => s.channelId);
  const communityId = useVoice((s) => s.communityId);
  const selfMute = useVoice((s) => s.selfMute);
  const selfDeaf = useVoice((s) => s.selfDeaf);
  const transmitting = useVoice((s) => s.transmitting);
  const stats = useVoice((s) => s.stats);
  const me = useSession((s) => s.user?.id);
  const mine = useVoice((s) => (communityId && me ? s.states[communityId]?.[me] : undefined));
  const channel = useChannels((s) => (channelId ? s.byId[channelId] : undefined));
  const community = useCommunities((s) => (communityId ? s.byId[communityId] : undefined));
  const mode = useVoiceSettings((s) => s.mode);
  const pttKey = useVoiceSettings((s) => s.pttKey);
  if (phase === "idle" || !channelId) return null;

  const quality = qualityLabel(stats?.rttMs ?? null, stats?.loss ?? null);
  const muted = selfMute || selfDeaf;
  const qualityClass = quality === "good" ? "text-ok" : quality === "fair" ? "text-amber-500" : "text-danger";

  return (
    <section aria-label="Voice connection" data-testid="voice-bar" className="border-t border-line bg-rail/40 px-2 py-2">
      <div className="flex items-center gap-2">
        <div className="min-w-0 flex-1">
          <div role="status" data-testid="voice-phase" className={`truncate text-sm font-semibold ${phase === "connected" ? "text-ok" : "text-amber-500"}`}>
            {phaseKey[phase] ? t(phaseKey[phase]) : ""}
          </div>
          <div className="truncate text-xs text-muted" data-testid="voice-channel-name">
            {channel ? `🔊 ${channel.name}` : t("voice")}
            {community ? ` / ${community.name}` : ""}
          </div>
        </div>
        <button
          type="button"
          aria-label={t("disconnect")}
          title={t("disconnect")}
          onClick={() => voice.leave()}
          className="inline-flex h-8 w-8 items-center justify-center rounded text-danger hover:bg-hover"
        >
          <HangUpIcon className="h-5 w-5" />
        </button>
      </div>

      <div className="mt-1 text-xs" data-testid="voice-quality">
        {phase === "connected" && stats ? (
          <span className={qualityClass} title={t("qualityTitle")}>
            {quality ? t(`quality.${quality}`) : t("measuring")}
            {stats.rttMs !== null ? ` · ${stats.rttMs} ms` : ""}
            {stats.loss !== null ? t("loss", { percent: formatNumber(stats.loss * 100, 1) }) : ""}
          </span>
        ) : phase === "reconnecting" ? (
          <span className="text-amber-500">{t("reconnecting")}</span>
        ) : (
          <span className="text-muted">{t("measuringConnection")}</span>
        )}
      </div>

      {mine?.server_mute || mine?.server_deaf ? (
        <div className="mt-1 text-xs text-danger" data-testid="voice-server-flags">
          {mine.server_mute && mine.server_deaf ? t("modMutedDeafened") : mine.server_mute ? t("modMuted") : t("modDeafened")}
        </div>
      ) : null}
      {mode === "push_to_talk" ? (
        <div className="mt-1 text-xs text-muted" data-testid="voice-ptt">
          {muted ? t("pttMuted") : transmitting ? t("transmitting") : t("holdToTalk", { key: keyLabel(pttKey) })}
        </div>
      ) : null}

      <div className="mt-2 flex gap-1">
        <button
          type="button"
          aria-label={t("mute")}
          aria-pressed={muted}
          title={muted ? t("unmute") : t("mute")}
          onClick={() => voice.setSelfMute(!muted)}
          className={`inline-flex h-8 flex-1 items-center justify-center rounded ${muted ? "bg-danger/20 text-danger" : "text-fg hover:bg-hover"}`}
        >
          <MicIcon off={muted} />
        </button>
        <button
          type="button"
          aria-label={t("deafen")}
          aria-pressed={selfDeaf}
          title={selfDeaf ? t("undeafen") : t("deafen")}
          onClick={() => voice.setSelfDeaf(!selfDeaf)}
          className={`inline-flex h-8 flex-1 items-center justify-center rounded ${selfDeaf ? "bg-danger/20 text-danger" : "text-fg hover:bg-hover"}`}
        >
          <HeadphonesIcon off={selfDeaf} />
        </button>
      </div>

      <details className="mt-2 text-xs text-muted" data-testid="voice-details">
        <summary className="cursor-pointer select-none hover:text-fg">{t("details")}</summary>
        <dl className="mt-1 grid grid-cols-[1fr_auto] gap-x-2 gap-y-0.5">
          <dt>{t("inboundPackets")}</dt>
          <dd data-testid="voice-inbound-packets" className="text-right tabular-nums text-fg">{stats?.inboundPackets ?? 0}</dd>
          <dt>{t("outboundPackets")}</dt>
          <dd data-testid="voice-outbound-packets" className="text-right tabular-nums text-fg">{stats?.outboundPackets ?? 0}</dd>
          <dt>{t("inboundLevel")}</dt>
          <dd data-testid="voice-inbound-level" className="text-right tabular-nums text-fg">{(stats?.inboundLevel ?? 0).toFixed(3)}</dd>
          <dt>{t("inboundEnergy")}</dt>
          <dd data-testid="voice-inbound-energy" className="text-right tabular-nums text-fg">{(stats?.inboundEnergy ?? 0).toFixed(3)}</dd>
          <dt>{t("roundTrip")}</dt>
          <dd className="text-right tabular-nums text-fg">{stats?.rttMs != null ? `${stats.rttMs} ms` : "—"}</dd>
          <dt>{t("packetLoss")}</dt>
          <dd className="text-right tabular-nums text-fg">{stats?.loss != null ? `${(stats.loss * 100).toFixed(1)}%` : "—"}</dd>
        </dl>
      </details>
    </section>
  );
}
