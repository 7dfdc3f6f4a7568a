import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../i18n/format";
import { rest } from "../../app/runtime";
import { describeError } from "../../api/errors";
import type { AuditEntry, AuditVerification, PodRole } from "../../api/types";
import { Button } from "../../ui/Button";
import { Isolated } from "../../ui/Isolated";
import { FormError } from "../../ui/TextField";
import type { AuditNames } from "../community-settings/rules";
import { POD_AUDIT_ACTIONS, dayAfter, describePodAuditEntry } from "./podAdmin";

const fieldLabel = "flex flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted";
const control = "rounded border border-line bg-elevated px-2 py-2 text-sm normal-case text-fg";

/**
 * The pod-wide audit log (POD_VIEW_AUDIT_LOG): filtered by action, actor and days (From/To, both inclusive, in UTC),
 * each entry in words, and "Verify chain" saying intact or naming the first broken entry (highlighted in the list).
 * `users` names the people the viewer can list (id → name); others show as a short id.
 */
export function PodAuditSection({ users, roles }: { users: Record<string, string>; roles: PodRole[] }) {
  const { t } = useTranslation("admin");
  const [action, setAction] = useState("");
  const [actor, setActor] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verification, setVerification] = useState<AuditVerification | null>(null);
  const [verifying, setVerifying] = useState(false);
  useEffect(() => {
    let live = true;
    setEntries(null);
    setError(null);
    rest
      .podAuditLog({ action: action || undefined, user_id: actor || undefined, since: from || undefined, until: to ? dayAfter(to) : undefined, limit: 100 })
      .then((list) => live && setEntries(list), (e) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, [action, actor, from, to]);
  const names: AuditNames = {
    user: (id) => users[id] ?? t("audit.unknownUser", { id: id.slice(-6) }),
    role: (id) => roles.find((r) => r.id === id)?.name ?? t("audit.deletedRole"),
    channel: (id) => id,
  };
  const broken = verification?.first_broken_id ? entries?.find((e) => e.id === verification.first_broken_id) : undefined;
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-2">
        <label className={fieldLabel}>
          {t("audit.action")}
          <select data-testid="pod-audit-action" className={control} value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">{t("audit.allActions")}</option>
            {POD_AUDIT_ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        </label>
        <label className={fieldLabel}>
          {t("audit.who")}
          <select data-testid="pod-audit-actor" className={control} value={actor} onChange={(e) => setActor(e.target.value)}>
            <option value="">{t("audit.anyone")}</option>
            {Object.entries(users).map(([id, name]) => <option key={id} value={id}>{name}</option>)}
          </select>
        </label>
        <label className={fieldLabel}>
          {t("audit.from")}
          <input type="date" data-testid="pod-audit-from" className={control} value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className={fieldLabel}>
          {t("audit.to")}
          <input type="date" data-testid="pod-audit-to" className={control} value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
        </label>
        <Button
          className="ml-auto"
          data-testid="pod-verify-chain"
          disabled={verifying}
          onClick={() => {
            setVerifying(true);
            rest.verifyPodAuditLog().then(setVerification, (e) => setError(describeError(e))).finally(() => setVerifying(false));
          }}
        >
          {t("audit.verify")}
        </Button>
      </div>
      <p className="text-xs text-muted">{t("audit.utcNote")}</p>
      {verification ? (
        <p role="status" data-testid="pod-verify-result" className={`rounded border px-3 py-2 text-sm ${verification.intact ? "border-green-600 text-green-600" : "border-danger text-danger"}`}>
          {verification.intact
            ? t("audit.intact", { count: verification.checked })
            : verification.first_broken_id
              ? broken
                ? t("audit.brokenAtDescribed", { id: verification.first_broken_id, entry: describePodAuditEntry(broken, names) })
                : t("audit.brokenAt", { id: verification.first_broken_id })
              : t("audit.truncated")}
        </p>
      ) : null}
      <FormError message={error} />
      {entries?.length === 0 ? <p className="text-sm text-muted">{t("audit.none")}</p> : null}
      <ol className="flex flex-col gap-1" aria-label={t("audit.list")}>
        {entries?.map((e) => (
          <li
            key={e.id}
            data-testid="pod-audit-entry"
            data-action={e.action}
            className={`flex flex-wrap items-baseline gap-x-3 rounded px-2 py-1.5 ${e.id === verification?.first_broken_id ? "bg-danger/20" : "hover:bg-hover"}`}
          >
            <span className="text-sm">{describePodAuditEntry(e, names)}</span>
            {e.reason ? <span className="text-xs text-muted">— <Isolated text={e.reason} /></span> : null}
            <time className="ml-auto shrink-0 text-xs text-muted" dateTime={e.created_at}>{formatDateTime(e.created_at)}</time>
          </li>
        ))}
      </ol>
    </div>
  );
}
