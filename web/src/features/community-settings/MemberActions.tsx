import { useState } from "react";
import type { Member } from "../../api/types";
import { describeError } from "../../api/errors";
import { rest } from "../../app/runtime";
import { displayName, useMembers } from "../../stores/members";
import { colorToHex, rolesInHierarchy, useRoles } from "../../stores/roles";
import { Button } from "../../ui/Button";
import { Dialog } from "../../ui/Dialog";
import { FormError } from "../../ui/TextField";
import { Isolated } from "../../ui/Isolated";
import { BAN_HISTORY, TIMEOUTS } from "./rules";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../i18n/format";

export interface ModeratorRights {
  manageRoles: boolean;
  kick: boolean;
  ban: boolean;
  moderate: boolean;
}

export const anyModeration = (r: ModeratorRights) => r.manageRoles || r.kick || r.ban || r.moderate;

/**
 * What a moderator can do to one member: roles, timeout, kick, ban. The server decides (hierarchy, owner, self);
 * a refusal is shown as it words it, and nothing changes.
 */
export function MemberActions({ communityId, member, rights, onGone }: { communityId: string; member: Member; rights: ModeratorRights; onGone?: () => void }) {
  const { t } = useTranslation("communitySettings");
  const roles = rolesInHierarchy(useRoles((s) => s.byCommunity[communityId])).filter((r) => !r.is_everyone);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [timeout, setTimeoutChoice] = useState(TIMEOUTS[1]!.seconds);
  const [history, setHistory] = useState(0);
  const [reason, setReason] = useState("");
  const [confirm, setConfirm] = useState<"kick" | "ban" | null>(null);
  const name = displayName(member.user);
  const timedOut = member.timeout_until && new Date(member.timeout_until).getTime() > Date.now();

  const run = async (action: () => Promise<unknown>, gone = false) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      if (gone) onGone?.();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex flex-col gap-4" data-testid="member-actions">
      <FormError message={error} />
      {rights.manageRoles ? (
        <fieldset className="flex flex-col gap-1">
          <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">{t("rolesOf", { name })}</legend>
          {roles.length === 0 ? <p className="text-sm text-muted">{t("noRolesYet")}</p> : null}
          {roles.map((r) => {
            const has = member.roles?.includes(r.id) ?? false;
            return (
              <label key={r.id} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={has}
                  disabled={busy}
                  onChange={() => void run(() => (has ? rest.revokeRole(communityId, member.user.id, r.id) : rest.grantRole(communityId, member.user.id, r.id)))}
                />
                <span aria-hidden="true" className="h-3 w-3 rounded-full" style={{ background: r.color != null ? colorToHex(r.color) : "var(--color-muted, #888)" }} />
                <Isolated text={r.name} />
              </label>
            );
          })}
        </fieldset>
      ) : null}
      {rights.moderate ? (
        <div className="flex flex-wrap items-end gap-2">
          <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
            {t("timeout")}
            <select className="rounded border border-line bg-elevated px-2 py-2 text-sm normal-case text-fg" value={timeout} onChange={(e) => setTimeoutChoice(Number(e.target.value))}>
              {TIMEOUTS.map((o) => <option key={o.seconds} value={o.seconds}>{t(`timeouts.s${o.seconds}` as "timeouts.s60")}</option>)}
            </select>
          </label>
          <Button variant="secondary" disabled={busy} onClick={() => void run(() => rest.timeoutMember(communityId, member.user.id, new Date(Date.now() + timeout * 1000).toISOString()))}>
            {t("timeOut")}
          </Button>
          {timedOut ? (
            <div className="flex w-full items-center gap-2">
              <span className="text-sm text-amber-500" data-testid="timeout-until">{t("timedOutUntil", { when: formatDateTime(member.timeout_until!) })}</span>
              <Button variant="secondary" disabled={busy} onClick={() => void run(() => rest.timeoutMember(communityId, member.user.id, null))}>{t("removeTimeout")}</Button>
            </div>
          ) : null}
        </div>
      ) : null}
      {rights.ban ? (
        <div className="flex flex-wrap items-end gap-2">
          <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
            {t("deleteMessages")}
            <select className="rounded border border-line bg-elevated px-2 py-2 text-sm normal-case text-fg" value={history} onChange={(e) => setHistory(Number(e.target.value))}>
              {BAN_HISTORY.map((h) => <option key={h.seconds} value={h.seconds}>{t(`banHistory.s${h.seconds}` as "banHistory.s0")}</option>)}
            </select>
          </label>
          <label className="flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
            {t("reason")}
            <input className="rounded border border-line bg-elevated px-2 py-2 text-sm normal-case text-fg" maxLength={512} value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
        </div>
      ) : null}
      <div className="flex flex-wrap gap-2">
        {rights.kick ? (
          confirm === "kick" ? (
            <Button variant="danger" disabled={busy} onClick={() => void run(() => rest.kickMember(communityId, member.user.id), true)}>{t("confirmKick", { name })}</Button>
          ) : (
            <Button variant="danger" disabled={busy} onClick={() => setConfirm("kick")}>{t("kick")}</Button>
          )
        ) : null}
        {rights.ban ? (
          confirm === "ban" ? (
            <Button variant="danger" disabled={busy} onClick={() => void run(() => rest.ban(communityId, member.user.id, { reason: reason.trim() || undefined, delete_message_seconds: history }), true)}>
              {t("confirmBan", { name })}
            </Button>
          ) : (
            <Button variant="danger" disabled={busy} onClick={() => setConfirm("ban")}>{t("ban")}</Button>
          )
        ) : null}
      </div>
    </div>
  );
}

/** The member list's "…" / right-click menu: the same actions in a dialog. */
export function MemberActionsDialog({ communityId, userId, rights, onClose }: { communityId: string; userId: string; rights: ModeratorRights; onClose: () => void }) {
  const { t } = useTranslation("communitySettings");
  // Live: a role given elsewhere or a timeout set shows here at once; a member who left closes it.
  const member = useMembers((s) => s.byCommunity[communityId]?.[userId]);
  if (!member) return null;
  return (
    <Dialog title={t("manageName", { name: displayName(member.user) })} onClose={onClose} testId="member-actions-dialog">
      <MemberActions communityId={communityId} member={member} rights={rights} onGone={onClose} />
      <div className="flex justify-end"><Button variant="secondary" onClick={onClose}>{t("close")}</Button></div>
    </Dialog>
  );
}
