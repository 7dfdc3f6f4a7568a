import { create } from "zustand";

export type InputMode = "voice_activity" | "push_to_talk";

export interface VoiceSettings {
  /** MediaDeviceInfo.deviceId of the microphone; "" = the browser's default. */
  inputDeviceId: string;
  /** Output deviceId for HTMLMediaElement.setSinkId; "" = default. */
  outputDeviceId: string;
  mode: InputMode;
  /** KeyboardEvent.code held to talk in push-to-talk mode. */
  pttKey: string;
  echoCancellation: boolean;
  noiseSuppression: boolean;
  autoGainControl: boolean;
}

export const DEFAULT_VOICE_SETTINGS: VoiceSettings = {
  inputDeviceId: "",
  outputDeviceId: "",
  mode: "voice_activity",
  pttKey: "Backquote",
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

const KEY = "voxora.voice_settings";

/** Stored settings merged over the defaults; anything malformed falls back to the default. */
export function parseVoiceSettings(raw: string | null): VoiceSettings {
  if (!raw) return { ...DEFAULT_VOICE_SETTINGS };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_VOICE_SETTINGS };
  }
  if (!value || typeof value !== "object") return { ...DEFAULT_VOICE_SETTINGS };
  const v = value as Record<string, unknown>;
  const str = (k: keyof VoiceSettings) => (typeof v[k] === "string" ? (v[k] as string) : (DEFAULT_VOICE_SETTINGS[k] as string));
  const bool = (k: keyof VoiceSettings) => (typeof v[k] === "boolean" ? (v[k] as boolean) : (DEFAULT_VOICE_SETTINGS[k] as boolean));
  return {
    inputDeviceId: str("inputDeviceId"),
    outputDeviceId: str("outputDeviceId"),
    mode: v.mode === "push_to_talk" ? "push_to_talk" : "voice_activity",
    pttKey: str("pttKey") || DEFAULT_VOICE_SETTINGS.pttKey,
    echoCancellation: bool("echoCancellation"),
    noiseSuppression: bool("noiseSuppression"),
    autoGainControl: bool("autoGainControl"),
  };
}

function load(): VoiceSettings {
  try {
    return parseVoiceSettings(localStorage.getItem(KEY));
  } catch {
    return { ...DEFAULT_VOICE_SETTINGS };
  }
}

interface VoiceSettingsStore extends VoiceSettings {
  update: (patch: Partial<VoiceSettings>) => void;
}

export const useVoiceSettings = create<VoiceSettingsStore>()((set, get) => ({
  ...load(),
  update: (patch) => {
    set(patch);
    const { update: _u, ...settings } = { ...get() };
    try {
      localStorage.setItem(KEY, JSON.stringify(settings));
    } catch {
      // storage disabled: settings last for this tab
    }
  },
}));

/** getUserMedia constraints for the microphone. */
export function audioConstraints(s: VoiceSettings): MediaTrackConstraints {
  return {
    ...(s.inputDeviceId ? { deviceId: { exact: s.inputDeviceId } } : {}),
    echoCancellation: s.echoCancellation,
    noiseSuppression: s.noiseSuppression,
    autoGainControl: s.autoGainControl,
    channelCount: 1,
  };
}

/** A KeyboardEvent.code as people read it ("Backquote" → "`", "KeyT" → "T"). */
export function keyLabel(code: string): string {
  const named: Record<string, string> = {
    Backquote: "`", Space: "Space", CapsLock: "Caps Lock", ShiftLeft: "Left Shift", ShiftRight: "Right Shift",
    ControlLeft: "Left Ctrl", ControlRight: "Right Ctrl", AltLeft: "Left Alt", AltRight: "Right Alt",
    Minus: "-", Equal: "=", BracketLeft: "[", BracketRight: "]", Backslash: "\\", Semicolon: ";", Quote: "'",
    Comma: ",", Period: ".", Slash: "/",
  };
  if (named[code]) return named[code];
  if (/^Key[A-Z]$/.test(code)) return code.slice(3);
  if (/^Digit[0-9]$/.test(code)) return code.slice(5);
  if (/^Numpad/.test(code)) return "Num " + code.slice(6);
  return code;
}
