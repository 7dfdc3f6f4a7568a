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
      const body: { name: string; type: number; parent_id?: string } = { name: name.trim(), type };
      if (parent && type !== ChannelType.Category) body.parent_id = parent;
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
