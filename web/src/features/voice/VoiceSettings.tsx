import { useCallback, useEffect, useState } from "react";
import { keyLabel, useVoiceSettings } from "../../voice/settings";
import { useTranslation } from "react-i18next";

const canPickOutput = typeof HTMLMediaElement !== "undefined" && "setSinkId" in HTMLMediaElement.prototype;

/** Settings → Voice: devices, input mode with the push-to-talk key, and the browser's audio processing. */
export function VoiceSettingsForm() {
  const { t } = useTranslation("voice");
  const s = useVoiceSettings();
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [recording, setRecording] = useState(false);
  const [note, setNote] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    if (!navigator.mediaDevices?.enumerateDevices) {
      setNote(t("settings.noDevices"));
      return;
    }
    setDevices(await navigator.mediaDevices.enumerateDevices());
  }, []);

  useEffect(() => {
    void refresh();
    const md = navigator.mediaDevices;
    md?.addEventListener?.("devicechange", refresh);
    return () => md?.removeEventListener?.("devicechange", refresh);
  }, [refresh]);

  useEffect(() => {
    if (!recording) return;
    const onKey = (e: KeyboardEvent) => {
      e.preventDefault();
      if (e.code !== "Escape") s.update({ pttKey: e.code });
      setRecording(false);
    };
    window.addEventListener("keydown", onKey, { capture: true, once: true });
    return () => window.removeEventListener("keydown", onKey, { capture: true });
  }, [recording, s]);

  const inputs = devices.filter((d) => d.kind === "audioinput");
  const outputs = devices.filter((d) => d.kind === "audiooutput");
  const unnamed = devices.length > 0 && devices.every((d) => !d.label);

  const allowNames = async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      stream.getTracks().forEach((t) => t.stop());
      setNote(null);
      await refresh();
    } catch {
      setNote(t("settings.micRefused"));
    }
  };

  const select = "w-full rounded border border-line bg-main px-2 py-2 text-fg";
  return (
    <div className="flex flex-col gap-4" data-testid="voice-settings">
      {note ? <p role="status" className="text-sm text-muted">{note}</p> : null}
      <label className="flex flex-col gap-1">
        <span className="text-sm font-medium">{t("settings.inputDevice")}</span>
        <select className={select} value={s.inputDeviceId} onChange={(e) => s.update({ inputDeviceId: e.target.value })}>
          <option value="">{t("settings.defaultMic")}</option>
          {inputs
            .filter((d) => d.deviceId && d.deviceId !== "default")
            .map((d, i) => (
              <option key={d.deviceId} value={d.deviceId}>{d.label || t("settings.micN", { n: i + 1 })}</option>
            ))}
        </select>
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-sm font-medium">{t("settings.outputDevice")}</span>
        <select className={select} value={s.outputDeviceId} disabled={!canPickOutput} onChange={(e) => s.update({ outputDeviceId: e.target.value })}>
          <option value="">{t("settings.defaultSpeakers")}</option>
          {outputs
            .filter((d) => d.deviceId && d.deviceId !== "default")
            .map((d, i) => (
              <option key={d.deviceId} value={d.deviceId}>{d.label || t("settings.speakersN", { n: i + 1 })}</option>
            ))}
        </select>
        {!canPickOutput ? <span className="text-xs text-muted">{t("settings.defaultOutputOnly")}</span> : null}
      </label>
      {unnamed ? (
        <button type="button" onClick={() => void allowNames()} className="self-start text-sm text-accent underline">
          {t("settings.showNames")}
        </button>
      ) : null}

      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">{t("settings.inputMode")}</legend>
        <label className="flex items-center gap-2">
          <input type="radio" name="voice-mode" checked={s.mode === "voice_activity"} onChange={() => s.update({ mode: "voice_activity" })} />
          {t("settings.voiceActivity")}
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" name="voice-mode" checked={s.mode === "push_to_talk"} onChange={() => s.update({ mode: "push_to_talk" })} />
          {t("settings.pushToTalk")}
        </label>
        {s.mode === "push_to_talk" ? (
          <div className="ml-6 flex items-center gap-3">
            <span className="text-sm">
              {t("settings.key")} <kbd className="rounded bg-elevated px-2 py-0.5" data-testid="ptt-key">{keyLabel(s.pttKey)}</kbd>
            </span>
            <button type="button" onClick={() => setRecording(true)} className="rounded bg-elevated px-3 py-1 text-sm hover:bg-hover" aria-live="polite">
              {recording ? t("settings.pressKey") : t("settings.changeKey")}
            </button>
          </div>
        ) : null}
      </fieldset>

      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">{t("settings.processing")}</legend>
        <label className="flex items-center gap-2">
          <input type="checkbox" className="h-4 w-4" checked={s.echoCancellation} onChange={(e) => s.update({ echoCancellation: e.target.checked })} />
          {t("settings.echo")}
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" className="h-4 w-4" checked={s.noiseSuppression} onChange={(e) => s.update({ noiseSuppression: e.target.checked })} />
          {t("settings.noise")}
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" className="h-4 w-4" checked={s.autoGainControl} onChange={(e) => s.update({ autoGainControl: e.target.checked })} />
          {t("settings.agc")}
        </label>
        <span className="text-xs text-muted">Leave these on unless you use a studio microphone or are testing audio levels.</span>
      </fieldset>
    </div>
  );
}
