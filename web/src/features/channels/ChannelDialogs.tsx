import { useNavigate } from "@tanstack/react-router";
import { useId, useMemo, useState, type FormEvent } from "react";
import { rest } from "../../app/runtime";
import { ApiError, describeError } from "../../api/errors";
import { ChannelType, type Channel } from "../../api/types";
import { useChannels } from "../../stores/channels";
import { applyDispatch } from "../../stores/dispatch";
import { Button } from "../../ui/Button";
import { Dialog, DialogActions } from "../../ui/Dialog";
import { ConfirmDialog, NameDialog } from "../../ui/FormDialogs";
import { FormError, TextField } from "../../ui/TextField";

export function CreateChannelDialog({ communityId, onClose }: { communityId: string; onClose: () => void }) {
  const navigate = useNavigate();
  const all = useChannels((s) => s.byId);
  const categories = useMemo(
    () => Object.values(all).filter((c) => c.community_id === communityId && c.type === ChannelType.Category),
    [all, communityId],
  );
  const [name, setName] = useState("");
  const [type, setType] = useState<number>(ChannelType.Text);
  const [parent, setParent] = useState("");
  const [voice, setVoice] = useState<VoiceSettings>({ bitrate: DEFAULT_BITRATE, userLimit: "" });
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const typeId = useId();
  const parentId = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      const body: { name: string; type: number; parent_id?: string; bitrate?: number; user_limit?: number } = { name: name.trim(), type };
      if (parent && type !== ChannelType.Category) body.parent_id = parent;
      if (type === ChannelType.Voice) Object.assign(body, voiceBody(voice));
      const ch = await rest.createChannel(communityId, body);
      applyDispatch({ t: "CHANNEL_CREATE", d: ch });
      onClose();
      if (ch.type === ChannelType.Text) await navigate({ to: "/app/$communityId/$channelId", params: { communityId, channelId: ch.id } });
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      if (!(err instanceof ApiError && Object.keys(err.fieldErrors).length)) setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title="Create a channel" onClose={onClose} testId="create-channel-dialog">
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <FormError message={message} />
        <div className="flex flex-col gap-1">
          <label htmlFor={typeId} className="text-xs font-semibold uppercase tracking-wide text-muted">
            Kind
          </label>
          <select id={typeId} value={type} onChange={(e) => setType(Number(e.target.value))} className="rounded border border-line bg-elevated px-3 py-2">
            <option value={ChannelType.Text}>Text channel</option>
            <option value={ChannelType.Voice}>Voice channel</option>
            <option value={ChannelType.Category}>Category</option>
          </select>
        </div>
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={error?.field("name")} autoFocus required />
        {type !== ChannelType.Category && categories.length > 0 ? (
          <div className="flex flex-col gap-1">
            <label htmlFor={parentId} className="text-xs font-semibold uppercase tracking-wide text-muted">
              Category
            </label>
            <select id={parentId} value={parent} onChange={(e) => setParent(e.target.value)} className="rounded border border-line bg-elevated px-3 py-2">
              <option value="">No category</option>
              {categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {error?.field("parent_id") ? <p className="text-sm text-danger">{error.field("parent_id")}</p> : null}
        {type === ChannelType.Voice ? <VoiceSettingsFields value={voice} onChange={setVoice} error={error} /> : null}
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy || !name.trim()}>
            Create
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

const DEFAULT_BITRATE = 64_000;
const BITRATES = [32_000, 64_000, 96_000, 128_000];

/** A voice channel's settings as the form holds them: the user limit as typed ("" = no limit). */
export interface VoiceSettings {
  bitrate: number;
  userLimit: string;
}

/** The request fields for the voice settings; an empty or 0 limit means none. */
export function voiceBody(v: VoiceSettings): { bitrate: number; user_limit: number } {
  const limit = v.userLimit.trim() === "" ? 0 : Number(v.userLimit);
  return { bitrate: v.bitrate, user_limit: Number.isFinite(limit) ? limit : -1 };
}

function VoiceSettingsFields({ value, onChange, error }: { value: VoiceSettings; onChange: (v: VoiceSettings) => void; error: ApiError | null }) {
  const bitrateId = useId();
  return (
    <>
      <div className="flex flex-col gap-1">
        <label htmlFor={bitrateId} className="text-xs font-semibold uppercase tracking-wide text-muted">
          Audio quality
        </label>
        <select
          id={bitrateId}
          value={value.bitrate}
          onChange={(e) => onChange({ ...value, bitrate: Number(e.target.value) })}
          className="rounded border border-line bg-elevated px-3 py-2"
        >
          {(BITRATES.includes(value.bitrate) ? BITRATES : [...BITRATES, value.bitrate].sort((a, b) => a - b)).map((b) => (
            <option key={b} value={b}>
              {b / 1000} kbit/s{b === DEFAULT_BITRATE ? " (default)" : ""}
            </option>
          ))}
        </select>
        {error?.field("bitrate") ? <p className="text-sm text-danger">{error.field("bitrate")}</p> : null}
      </div>
      <TextField
        label="User limit"
        type="number"
        min={0}
        max={99}
        inputMode="numeric"
        placeholder="No limit"
        hint="How many people may be in the channel at once (empty: no limit)."
        value={value.userLimit}
        onChange={(e) => onChange({ ...value, userLimit: e.target.value })}
        error={error?.field("user_limit")}
      />
    </>
  );
}

/** Audio quality and user limit of an existing voice channel. */
export function VoiceChannelSettingsDialog({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const [voice, setVoice] = useState<VoiceSettings>({
    bitrate: channel.bitrate ?? DEFAULT_BITRATE,
    userLimit: channel.user_limit ? String(channel.user_limit) : "",
  });
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      applyDispatch({ t: "CHANNEL_UPDATE", d: await rest.updateChannel(channel.id, voiceBody(voice)) });
      onClose();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      if (!(err instanceof ApiError && Object.keys(err.fieldErrors).length)) setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={`${channel.name}: voice settings`} onClose={onClose} testId="voice-channel-settings-dialog">
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <FormError message={message} />
        <VoiceSettingsFields value={voice} onChange={setVoice} error={error} />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy}>
            Save
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

export function RenameChannelDialog({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  return (
    <NameDialog
      title="Rename channel"
      label="Channel name"
      initial={channel.name}
      submitLabel="Save"
      onClose={onClose}
      onSubmit={async (name) => applyDispatch({ t: "CHANNEL_UPDATE", d: await rest.updateChannel(channel.id, { name }) })}
    />
  );
}

export function DeleteChannelDialog({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  return (
    <ConfirmDialog
      title={`Delete ${channel.name}?`}
      body={channel.type === ChannelType.Category ? "The channels inside it stay, without a category." : "All its messages are deleted for everyone. This cannot be undone."}
      confirmLabel="Delete channel"
      onClose={onClose}
      onConfirm={async () => {
        await rest.deleteChannel(channel.id);
        applyDispatch({ t: "CHANNEL_DELETE", d: { id: channel.id, community_id: channel.community_id } });
      }}
    />
  );
}
