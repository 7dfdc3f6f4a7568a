import { Link, useNavigate } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { describeError } from "../../api/errors";
import type { UserSummary } from "../../api/types";
import { openDirect } from "../../app/runtime";
import { useBlocks } from "../../stores/blocks";
import { DIRECT_HOME, directTitle, sortedDirect, useDirectChannels } from "../../stores/directChannels";
import { displayName, useMembers } from "../../stores/members";
import { useSession } from "../../stores/session";
import { useUnread } from "../../stores/unread";
import { Avatar } from "../../ui/Avatar";
import { Button } from "../../ui/Button";
import { Dialog, DialogActions } from "../../ui/Dialog";
import { Isolated } from "../../ui/Isolated";
import { StatusPicker } from "../shell/StatusPicker";
import { useTranslation } from "react-i18next";

/** The DM home's sidebar: every conversation, the most recent first, with its unread count; "New group". */
export function DirectSidebar({ activeChannelId }: { activeChannelId: string | undefined }) {
  const { t } = useTranslation("direct");
  const byId = useDirectChannels((s) => s.byId);
  const counts = useUnread((s) => s.byChannel);
  const me = useSession((s) => s.user);
  const myId = me?.id;
  const list = useMemo(() => sortedDirect(byId), [byId]);
  const [creating, setCreating] = useState(false);
  return (
    <nav aria-label={t("directMessages")} data-testid="dm-sidebar" className="flex w-60 shrink-0 flex-col bg-sidebar">
      <div className="flex h-12 shrink-0 items-center justify-between gap-2 border-b border-line px-3">
        <h2 className="truncate text-sm font-semibold">{t("directMessages")}</h2>
        <Button variant="ghost" className="shrink-0 whitespace-nowrap px-2 py-1 text-xs" onClick={() => setCreating(true)} data-testid="new-group-dm" title={t("newGroup")}>
          {t("new")}
        </Button>
      </div>
      {list.length === 0 ? (
        <p className="p-3 text-sm text-muted">{t("noConversations")}</p>
      ) : null}
      <ul className="flex min-h-0 flex-1 flex-col gap-0.5 overflow-y-auto p-2">
        {list.map((c) => {
          const active = c.id === activeChannelId;
          const unread = counts[c.id]?.unread ?? 0;
          const title = directTitle(c, myId);
          const other = c.recipients.find((r) => r.id !== myId) ?? c.recipients[0];
          return (
            <li key={c.id}>
              <Link
                to="/app/$communityId/$channelId"
                params={{ communityId: DIRECT_HOME, channelId: c.id }}
                aria-current={active ? "page" : undefined}
                aria-label={unread ? t("unread", { title, count: unread }) : title}
                data-testid={`dm-link-${c.id}`}
                className={`flex items-center gap-2 rounded px-2 py-1.5 ${active ? "bg-hover text-fg" : unread ? "font-semibold text-fg hover:bg-hover" : "text-muted hover:bg-hover hover:text-fg"}`}
              >
                {c.recipients.length > 2 ? (
                  <span aria-hidden="true" className="flex h-8 w-8 shrink-0 items-center justify-center rounded-full bg-elevated text-xs">
                    {c.recipients.length}
                  </span>
                ) : other ? (
                  <Avatar id={other.id} name={displayName(other)} url={other.avatar_url} size="sm" />
                ) : null}
                <Isolated className="min-w-0 flex-1 truncate" text={title} />
                {unread > 0 && !active ? (
                  <span data-testid={`dm-unread-${c.id}`} className="min-w-5 rounded-full bg-danger px-1.5 text-center text-xs font-bold text-white">
                    {unread > 99 ? "99+" : unread}
                  </span>
                ) : null}
              </Link>
            </li>
          );
        })}
      </ul>
      {me ? (
        <div className="flex items-center gap-2 bg-rail/60 px-2 py-2">
          <StatusPicker me={me} />
          <div className="min-w-0 flex-1">
            <div className="truncate text-sm font-semibold" data-testid="current-user">{displayName(me)}</div>
            <div className="truncate text-xs text-muted">@{me.username}</div>
          </div>
          <Link to="/settings" aria-label={t("settings")} title={t("settings")} className="inline-flex h-8 w-8 items-center justify-center rounded text-muted hover:bg-hover hover:text-fg">
            ⚙
          </Link>
        </div>
      ) : null}
      {creating ? <NewGroupDialog onClose={() => setCreating(false)} /> : null}
    </nav>
  );
}

/** People I could add to a group: everyone in the member lists I have loaded, except me and those I blocked. */
export function groupCandidates(users: Record<string, UserSummary>, myId: string | undefined, blocked: Record<string, true>): UserSummary[] {
  return Object.values(users)
    .filter((u) => u.id !== myId && !(u.id in blocked))
    .sort((a, b) => displayName(a).localeCompare(displayName(b)));
}

export const MAX_GROUP_OTHERS = 9;

function NewGroupDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation("direct");
  const users = useMembers((s) => s.users);
  const blocked = useBlocks((s) => s.ids);
  const myId = useSession((s) => s.user?.id);
  const navigate = useNavigate();
  const candidates = useMemo(() => groupCandidates(users, myId, blocked), [users, myId, blocked]);
  const [picked, setPicked] = useState<string[]>([]);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function toggle(id: string) {
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length >= MAX_GROUP_OTHERS ? p : [...p, id]));
  }

  async function create() {
    setBusy(true);
    setError(null);
    try {
      const channel = await openDirect(picked.length === 1 && !name.trim() ? { recipient_id: picked[0]! } : { recipient_ids: picked, name: name.trim() || undefined });
      onClose();
      await navigate({ to: "/app/$communityId/$channelId", params: { communityId: DIRECT_HOME, channelId: channel.id } });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t("newConversation")} onClose={onClose} testId="new-group-dialog">
      <label className="flex flex-col gap-1 text-sm">
        {t("groupNameOptional")}
        <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} className="rounded border border-line bg-elevated px-2 py-1" data-testid="group-name" />
      </label>
      <p className="text-sm text-muted">{t("pickUpTo", { max: MAX_GROUP_OTHERS, picked: picked.length })}</p>
      <ul className="flex max-h-64 flex-col gap-1 overflow-y-auto">
        {candidates.map((u) => (
          <li key={u.id}>
            <label className="flex items-center gap-2 rounded px-2 py-1 hover:bg-hover">
              <input type="checkbox" checked={picked.includes(u.id)} onChange={() => toggle(u.id)} data-testid={`pick-${u.username}`} />
              <Avatar id={u.id} name={displayName(u)} url={u.avatar_url} size="xs" />
              <Isolated text={displayName(u)} />
            </label>
          </li>
        ))}
      </ul>
      {error ? <p role="alert" className="text-sm text-danger">{error}</p> : null}
      <DialogActions>
        <Button variant="ghost" onClick={onClose}>{t("cancel")}</Button>
        <Button disabled={busy || picked.length === 0} onClick={() => void create()} data-testid="create-group-dm">
          {t("create")}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
