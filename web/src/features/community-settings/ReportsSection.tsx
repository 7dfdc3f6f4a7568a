import { useNavigate } from "@tanstack/react-router";
import { useCallback, useEffect, useState } from "react";
import { useAction } from "../../ui/useAction";
import { ApiError, describeError } from "../../api/errors";
import type { Report } from "../../api/types";
import { rest } from "../../app/runtime";
import { useChannels } from "../../stores/channels";
import { displayName, useMembers } from "../../stores/members";
import { Button } from "../../ui/Button";
import { Isolated } from "../../ui/Isolated";
import { FormError } from "../../ui/TextField";
import { MemberActions, type ModeratorRights, anyModeration } from "./MemberActions";
import { useReports } from "../../stores/reports";
import { Trans, useTranslation } from "react-i18next";
import { formatDateTime } from "../../i18n/format";

/**
 * The moderators' queue (MANAGE_MESSAGES): open reports oldest first, each with the reported message as it was when
 * reported, its author and channel, who reported it and why; resolve or dismiss (with a note the reporter sees), and
 * act on the author with the same actions as the member list. Fetched when shown (and on "Refresh"), then live through
 * REPORT_CREATE and REPORT_UPDATE; one decided elsewhere also leaves it on the 409 that deciding it again gets.
 */
export function ReportsSection({ communityId, rights, onClose }: { communityId: string; rights: ModeratorRights; onClose: () => void }) {
  const { t } = useTranslation("communitySettings");
  // Live once loaded: REPORT_CREATE adds, REPORT_UPDATE (anyone's decision) removes.
  const reports = useReports((s) => s.open[communityId] ?? null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    rest.reports(communityId).then((list) => useReports.getState().setQueue(communityId, list), (e) => setError(describeError(e)));
  }, [communityId]);
  useEffect(load, [load]);
  return (
    <section aria-labelledby="reports-heading" className="flex flex-col gap-3" data-testid="settings-reports">
      <div className="flex items-center gap-2">
        <h2 id="reports-heading" className="text-lg font-semibold">{t("tabs.reports")}</h2>
        <Button variant="secondary" className="ml-auto" onClick={load} data-testid="reports-refresh">{t("refresh")}</Button>
      </div>
      <FormError message={error} />
      {status ? <p role="status" className="text-sm text-muted" data-testid="reports-status">{status}</p> : null}
      {reports === null && !error ? <p role="status" className="text-sm text-muted">{t("loadingReports")}</p> : null}
      {reports?.length === 0 ? <p className="text-sm text-muted" data-testid="reports-empty">{t("noReports")}</p> : null}
      <ol className="flex flex-col gap-3">
        {reports?.map((r) => (
          <ReportCard
            key={r.id}
            report={r}
            rights={rights}
            onClose={onClose}
            onDecided={(words) => {
              useReports.getState().apply({ ...r, status: "resolved" });
              setStatus(words);
            }}
          />
        ))}
      </ol>
    </section>
  );
}

function ReportCard({ report, rights, onDecided, onClose }: { report: Report; rights: ModeratorRights; onDecided: (words: string) => void; onClose: () => void }) {
  const { t } = useTranslation("communitySettings");
  const navigate = useNavigate();
  const users = useMembers((s) => s.users);
  const author = useMembers((s) => s.byCommunity[report.community_id]?.[report.message_author_id]);
  const channel = useChannels((s) => s.byId[report.channel_id]);
  const [note, setNote] = useState("");
  const { busy, error, run } = useAction();
  const [acting, setActing] = useState(false);
  const nameOf = (id: string) => (users[id] ? displayName(users[id]) : t("formerMember"));
  const authorName = nameOf(report.message_author_id);

  const decide = (status: "resolved" | "dismissed") =>
    run(async () => {
      try {
        await rest.decideReport(report.community_id, report.id, { status, ...(note.trim() ? { note: note.trim() } : {}) });
        onDecided(status === "resolved" ? t("reportResolved", { name: authorName }) : t("reportDismissed", { name: authorName }));
      } catch (e) {
        // Not an error for this moderator: the report left the queue either way.
        if (e instanceof ApiError && e.code === "report_already_decided") onDecided(t("alreadyDecided", { name: authorName }));
        else throw e;
      }
    }, "");

  return (
    <li className="flex flex-col gap-2 rounded border border-line p-3" data-testid="report-row" data-report-id={report.id}>
      <p className="text-sm text-muted">
        <Trans
          t={t}
          i18nKey="reportedBy"
          components={{
            reporter: <Isolated className="font-semibold text-fg" text={nameOf(report.reporter_id)} />,
            author: <Isolated className="font-semibold text-fg" text={authorName} />,
            // Trans replaces an element's children with the translation's (empty) ones, so the name comes from a prop.
            channel: <ChannelTag name={channel?.name ?? t("deletedChannel")} />,
          }}
        />{" "}
        <time dateTime={report.created_at}>{formatDateTime(report.created_at)}</time>
      </p>
      <blockquote className="whitespace-pre-wrap break-words rounded border-l-4 border-accent bg-elevated px-3 py-2" data-testid="report-message" dir="auto">
        <Isolated className="mb-1 block text-xs font-semibold" text={authorName} />
        {report.message_content ? <Isolated text={report.message_content} /> : <span className="italic text-muted">{t("filesOnly")}</span>}
      </blockquote>
      <p className="text-sm" data-testid="report-reason">
        <span className="font-semibold">{t("reasonLabel")} </span>
        <Isolated text={report.reason} />
      </p>
      <FormError message={error} />
      <div className="flex flex-wrap items-end gap-2">
        <label className="flex min-w-48 flex-1 flex-col gap-1 text-xs font-semibold uppercase tracking-wide text-muted">
          {t("note")}
          <input className="rounded border border-line bg-elevated px-2 py-2 text-sm normal-case text-fg" maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} data-testid="report-note" />
        </label>
        <Button disabled={busy} onClick={() => void decide("resolved")} data-testid="report-resolve">{t("resolve")}</Button>
        <Button variant="secondary" disabled={busy} onClick={() => void decide("dismissed")} data-testid="report-dismiss">{t("dismiss")}</Button>
        {channel ? (
          <Button
            variant="ghost"
            onClick={() => {
              onClose();
              void navigate({
                to: "/app/$communityId/$channelId/$messageId",
                params: { communityId: report.community_id, channelId: report.channel_id, messageId: report.message_id },
              });
            }}
            data-testid="report-jump"
          >
            {t("showInChannel")}
          </Button>
        ) : null}
        {author && anyModeration(rights) ? (
          <Button variant="secondary" aria-expanded={acting} onClick={() => setActing((a) => !a)} data-testid="report-act">
            {t("actOn", { name: authorName })}
          </Button>
        ) : !author ? (
          <span className="text-sm text-muted">{t("authorGone")}</span>
        ) : null}
      </div>
      {acting && author ? (
        <div className="border-t border-line pt-3">
          <MemberActions communityId={report.community_id} member={author} rights={rights} onGone={() => setActing(false)} />
        </div>
      ) : null}
    </li>
  );
}

/** "#name" in the report's first line. */
function ChannelTag({ name }: { name: string }) {
  return <span className="font-semibold text-fg">#<Isolated text={name} /></span>;
}
