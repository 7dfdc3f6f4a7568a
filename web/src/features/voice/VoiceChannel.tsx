import { useEffect, useMemo, useRef, useState } from "react";
import { describeError } from "../../api/errors";
import { ChannelType, type Channel, type VoiceState } from "../../api/types";
import { rest, voice } from "../../app/runtime";
import { useChannels } from "../../stores/channels";
import { displayName, useMembers } from "../../stores/members";
import { useSession } from "../../stores/session";
import { channelMembers, moderatorAbilities, showsSpeaking, useVoice, voiceErrorMessage } from "../../stores/voice";
import { Avatar } from "../../ui/Avatar";
import { HeadphonesIcon, MicIcon } from "./icons";
import { Isolated } from "../../ui/Isolated";
import { useTranslation } from "react-i18next";

/** A voice channel in the sidebar: click to join (or move here); the people in it listed underneath. */
export function VoiceChannelRow({ channel, isOwner, actions }: { channel: Channel; isOwner: boolean; actions: React.ReactNode }) {
  const { t } = useTranslation("voice");
  const status = useVoice((s) => s.status);
  const states = useVoice((s) => s.states);
  const myChannel = useVoice((s) => s.channelId);
  const phase = useVoice((s) => s.phase);
  const members = useMemo(() => channelMembers(states, channel.community_id, channel.id), [states, channel.community_id, channel.id]);
  const unavailable = status !== null && !status.available;
  const here = myChannel === channel.id && phase !== "idle";

  const onClick = () => {
    if (unavailable) {
      useVoice.getState().setAlert(voiceErrorMessage({ code: "voice_unavailable", message: status?.reason ?? "" }));
      return;
    }
    if (!here) void voice.join(channel.id);
  };

  return (
    <li className="flex flex-col">
      <div className="group flex items-center">
        <button
          type="button"
          onClick={onClick}
          data-testid={`channel-link-${channel.id}`}
          aria-label={unavailable ? t("rowUnavailable", { name: channel.name }) : here ? t("rowConnected", { name: channel.name }) : t("rowJoin", { name: channel.name })}
          title={unavailable ? (status?.reason ?? t("unavailableTitle")) : undefined}
          className={`flex min-w-0 flex-1 items-center gap-2 rounded px-2 py-1.5 text-left ${
            here ? "bg-hover font-semibold text-fg" : "text-muted hover:bg-hover hover:text-fg"
          }`}
        >
          <span aria-hidden="true" className="w-4 text-center">🔊</span>
          <span className="flex min-w-0 flex-1 flex-col">
            <span className="flex items-center gap-2">
              <Isolated className="truncate" text={channel.name} />
              {channel.user_limit ? (
                <span
                  className="ml-auto shrink-0 rounded bg-hover px-1 text-xs tabular-nums text-muted"
                  title={t("placesTaken", { taken: members.length, limit: channel.user_limit })}
                  data-testid={`voice-limit-${channel.id}`}
                >
                  {members.length}/{channel.user_limit}
                </span>
              ) : null}
            </span>
            {unavailable ? (
              <span className="truncate text-xs text-muted" data-testid="voice-unavailable">
                {t("unavailable")}
              </span>
            ) : null}
          </span>
        </button>
        {actions}
      </div>
      {members.length ? (
        <ul aria-label={t("inChannel", { name: channel.name })} className="mb-1 ml-6 flex flex-col gap-0.5" data-testid={`voice-members-${channel.id}`}>
          {members.map((m) => (
            <VoiceMemberRow key={m.user_id} state={m} channel={channel} isOwner={isOwner} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function FlagIcons({ state }: { state: VoiceState }) {
  const { t } = useTranslation("voice");
  return (
    <span className="ml-auto flex shrink-0 items-center gap-1">
      {state.server_mute ? (
        <span role="img" aria-label={t("serverMuted")} title={t("serverMuted")} className="text-danger" data-testid="icon-server-mute">
          <MicIcon off />
        </span>
      ) : state.self_mute ? (
        <span role="img" aria-label={t("muted")} title={t("muted")} className="text-muted" data-testid="icon-self-mute">
          <MicIcon off />
        </span>
      ) : null}
      {state.server_deaf ? (
        <span role="img" aria-label={t("serverDeafened")} title={t("serverDeafened")} className="text-danger" data-testid="icon-server-deaf">
          <HeadphonesIcon off />
        </span>
      ) : state.self_deaf ? (
        <span role="img" aria-label={t("deafened")} title={t("deafened")} className="text-muted" data-testid="icon-self-deaf">
          <HeadphonesIcon off />
        </span>
      ) : null}
    </span>
  );
}

function VoiceMemberRow({ state, channel, isOwner }: { state: VoiceState; channel: Channel; isOwner: boolean }) {
  const { t } = useTranslation("voice");
  const user = useMembers((s) => s.users[state.user_id]);
  const speaking = useVoice((s) => showsSpeaking(state, s.speaking));
  const perms = useVoice((s) => s.perms[channel.community_id]);
  const me = useSession((s) => s.user?.id);
  const [menu, setMenu] = useState(false);
  const name = user ? displayName(user) : state.user_id;
  const can = moderatorAbilities(perms, channel.id, isOwner);
  const moderates = state.user_id !== me && (can.mute || can.deafen || can.move);

  return (
    <li
      className={`group relative flex items-center gap-2 rounded py-0.5 pl-1 text-sm text-muted hover:bg-hover ${moderates ? "pr-7 md:pr-1" : "pr-1"}`}
      data-testid={`voice-member-${state.user_id}`}
      data-speaking={speaking ? "true" : "false"}
      onContextMenu={
        moderates
          ? (e) => {
              e.preventDefault();
              setMenu(true);
            }
          : undefined
      }
    >
      <span className={`inline-flex rounded-full ${speaking ? "outline-2 outline-offset-1 outline-speaking outline-solid" : "outline-0"}`} data-testid="voice-avatar">
        <Avatar id={state.user_id} name={name} url={user?.avatar_url} size="xs" />
      </span>
      <Isolated className={`truncate ${speaking ? "text-fg" : ""}`} text={name} />
      {speaking ? <span className="sr-only">{t("speakingParen")}</span> : null}
      <FlagIcons state={state} />
      {moderates ? (
        <button
          type="button"
          aria-label={t("optionsFor", { name })}
          title={t("optionsFor", { name })}
          aria-haspopup="menu"
          aria-expanded={menu}
          onClick={() => setMenu((o) => !o)}
          className="absolute right-0 top-1/2 inline-flex h-6 w-6 -translate-y-1/2 items-center justify-center rounded bg-hover text-muted hover:bg-elevated hover:text-fg md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100"
        >
          ⋯
        </button>
      ) : null}
      {menu ? <ModeratorMenu state={state} name={name} channel={channel} can={can} onClose={() => setMenu(false)} /> : null}
    </li>
  );
}

function ModeratorMenu({
  state,
  name,
  channel,
  can,
  onClose,
}: {
  state: VoiceState;
  name: string;
  channel: Channel;
  can: { mute: boolean; deafen: boolean; move: boolean };
  onClose: () => void;
}) {
  const { t } = useTranslation("voice");
  const all = useChannels((s) => s.byId);
  const ref = useRef<HTMLUListElement>(null);
  const others = Object.values(all)
    .filter((c) => c.community_id === channel.community_id && c.type === ChannelType.Voice && c.id !== state.channel_id)
    .sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : 1));

  useEffect(() => {
    ref.current?.querySelector<HTMLButtonElement>("[role=menuitem]")?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    window.addEventListener("keydown", onKey);
    window.addEventListener("mousedown", onDown);
    return () => {
      window.removeEventListener("keydown", onKey);
      window.removeEventListener("mousedown", onDown);
    };
  }, [onClose]);

  const act = (body: { server_mute?: boolean; server_deaf?: boolean; channel_id?: string | null }) => {
    onClose();
    rest.updateVoiceState(channel.community_id, state.user_id, body).then(
      (updated) => useVoice.getState().applyState(updated),
      (e: unknown) => useVoice.getState().setAlert(t("couldNotChange", { name, error: describeError(e) })),
    );
  };

  const item = (label: string, onSelect: () => void, danger = false) => (
    <li key={label} role="none">
      <button
        type="button"
        role="menuitem"
        onClick={onSelect}
        className={`w-full rounded px-3 py-1.5 text-left text-sm hover:bg-accent hover:text-white ${danger ? "text-danger" : "text-fg"}`}
      >
        {label}
      </button>
    </li>
  );

  return (
    <ul ref={ref} role="menu" aria-label={t("optionsFor", { name })} data-testid="voice-member-menu" className="absolute right-0 top-full z-30 flex w-52 flex-col rounded bg-rail p-1 shadow-lg">
      {can.mute ? item(state.server_mute ? t("removeServerMute") : t("serverMute"), () => act({ server_mute: !state.server_mute })) : null}
      {can.deafen ? item(state.server_deaf ? t("removeServerDeafen") : t("serverDeafen"), () => act({ server_deaf: !state.server_deaf })) : null}
      {can.move ? others.map((c) => item(t("moveTo", { name: c.name }), () => act({ channel_id: c.id }))) : null}
      {can.move ? item(t("disconnect"), () => act({ channel_id: null }), true) : null}
    </ul>
  );
}
