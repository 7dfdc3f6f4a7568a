import { useNavigate } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { describeError } from "../../api/errors";
import type { DirectChannel } from "../../api/types";
import { rest } from "../../app/runtime";
import { useBlocks } from "../../stores/blocks";
import { DIRECT_HOME, useDirectChannels } from "../../stores/directChannels";
import { displayName, useMembers } from "../../stores/members";
import { useSession } from "../../stores/session";
import { Avatar } from "../../ui/Avatar";
import { Button } from "../../ui/Button";
import { Dialog, DialogActions } from "../../ui/Dialog";
import { Isolated } from "../../ui/Isolated";
import { MAX_GROUP_OTHERS, groupCandidates } from "./DirectSidebar";
import { useTranslation } from "react-i18next";

/** People who could still be added to the group: candidates not already in it, as many as fit (10 people in all). */
export function addableToGroup<T extends { id: string }>(candidates: T[], group: DirectChannel): { people: T[]; room: number } {
  const inGroup = new Set(group.recipients.map((r) => r.id));
  return { people: candidates.filter((u) => !inGroup.has(u.id)), room: Math.max(0, MAX_GROUP_OTHERS + 1 - group.recipients.length) };
}

/**
 * A group conversation's settings: its name (anyone in it), who is in it (the owner adds and removes people), and
 * leaving it. The server's answers arrive as CHANNEL_UPDATE / CHANNEL_RECIPIENT_* for everyone, this dialog included.
 */
export function GroupSettingsDialog({ channelId, onClose }: { channelId: string; onClose: () => void }) {
  const { t } = useTranslation("direct");
  const group = useDirectChannels((s) => s.byId[channelId]);
  const users = useMembers((s) => s.users);
  const blocked = useBlocks((s) => s.ids);
  const myId = useSession((s) => s.user?.id);
  const navigate = useNavigate();
  const [name, setName] = useState(group?.name ?? "");
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const addable = useMemo(
    () => (group ? addableToGroup(groupCandidates(users, myId, blocked), group) : { people: [], room: 0 }),
    [group, users, myId, blocked],
  );
  if (!group) return null;
  const owner = group.owner_id === myId;

  async function run(action: () => Promise<unknown>, done: string) {
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      await action();
      setStatus(done);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  const rename = () =>
    run(async () => useDirectChannels.getState().upsert(await rest.renameDirect(channelId, name.trim())), name.trim() ? t("nameSaved") : t("nameCleared"));

  const add = () =>
    run(async () => {
      for (const id of picked) await rest.addRecipient(channelId, id);
      setPicked([]);
    }, t("added"));

  const remove = (userId: string) => run(() => rest.removeRecipient(channelId, userId), t("removed"));

  const leave = () =>
    run(async () => {
      await rest.leaveDirect(channelId);
      useDirectChannels.getState().remove(channelId);
      onClose();
      await navigate({ to: "/app/$communityId", params: { communityId: DIRECT_HOME } });
    }, "");

  return (
    <Dialog title={t("groupSettings")} onClose={onClose} testId="group-settings">
      <form
        className="flex items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void rename();
        }}
      >
        <label className="flex flex-1 flex-col gap-1 text-sm">
          {t("groupName")}
          <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} className="rounded border border-line bg-elevated px-2 py-1" data-testid="group-rename" />
        </label>
        <Button type="submit" variant="secondary" disabled={busy || name.trim() === (group.name ?? "")}>{t("save")}</Button>
      </form>

      <h3 className="text-sm font-semibold">{t("people", { count: group.recipients.length })}</h3>
      <ul className="flex max-h-48 flex-col gap-1 overflow-y-auto" data-testid="group-people">
        {group.recipients.map((u) => (
          <li key={u.id} className="flex items-center gap-2 rounded px-2 py-1 hover:bg-hover" data-testid="group-person" data-username={u.username}>
            <Avatar id={u.id} name={displayName(u)} url={u.avatar_url} size="xs" />
            <span className="min-w-0 flex-1 truncate"><Isolated text={displayName(u)} /></span>
            {u.id === group.owner_id ? <span className="text-xs text-muted">{t("owner")}</span> : null}
            {owner && u.id !== myId ? (
              <Button variant="ghost" className="px-2 py-0.5 text-xs" disabled={busy} onClick={() => void remove(u.id)} aria-label={t("removeName", { name: displayName(u) })}>
                {t("remove")}
              </Button>
            ) : null}
          </li>
        ))}
      </ul>

      {owner ? (
        <div className="flex flex-col gap-1">
          <h3 className="text-sm font-semibold">{t("addPeople")}</h3>
          {addable.room === 0 ? (
            <p className="text-sm text-muted">{t("full", { count: MAX_GROUP_OTHERS + 1 })}</p>
          ) : addable.people.length === 0 ? (
            <p className="text-sm text-muted">{t("nobodyToAdd")}</p>
          ) : (
            <>
              <ul className="flex max-h-40 flex-col gap-1 overflow-y-auto">
                {addable.people.map((u) => (
                  <li key={u.id}>
                    <label className="flex items-center gap-2 rounded px-2 py-1 hover:bg-hover">
                      <input
                        type="checkbox"
                        checked={picked.includes(u.id)}
                        disabled={!picked.includes(u.id) && picked.length >= addable.room}
                        onChange={() => setPicked((p) => (p.includes(u.id) ? p.filter((x) => x !== u.id) : [...p, u.id]))}
                        data-testid={`add-${u.username}`}
                      />
                      <Avatar id={u.id} name={displayName(u)} url={u.avatar_url} size="xs" />
                      <Isolated text={displayName(u)} />
                    </label>
                  </li>
                ))}
              </ul>
              <Button variant="secondary" className="self-start" disabled={busy || picked.length === 0} onClick={() => void add()} data-testid="group-add">
                {picked.length ? t("addCount", { count: picked.length }) : t("add")}
              </Button>
            </>
          )}
        </div>
      ) : null}

      {error ? <p role="alert" className="text-sm text-danger">{error}</p> : null}
      <span role="status" className="text-sm text-muted">{status}</span>
      <DialogActions>
        {confirmLeave ? (
          <>
            <span className="mr-auto text-sm">{t("leaveConfirm")}</span>
            <Button variant="ghost" onClick={() => setConfirmLeave(false)}>{t("stay")}</Button>
            <Button variant="danger" disabled={busy} onClick={() => void leave()} data-testid="group-leave-confirm">
              {t("leave")}
            </Button>
          </>
        ) : (
          <>
            <Button variant="danger" disabled={busy} onClick={() => setConfirmLeave(true)} data-testid="group-leave">
              {t("leaveGroup")}
            </Button>
            <Button variant="ghost" onClick={onClose}>{t("close")}</Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
