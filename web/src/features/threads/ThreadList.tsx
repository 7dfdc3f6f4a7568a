import { useEffect, useState } from "react";
import { rest } from "../../app/runtime";
import { describeError } from "../../api/errors";
import { countLabel, threadsOf, useThreads } from "../../stores/threads";
import { Isolated } from "../../ui/Isolated";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../i18n/format";


/** The channel header's thread list: active threads, archived ones on request; picking one opens its panel. */
export function ThreadList({ channelId, onClose }: { channelId: string; onClose: () => void }) {
  const { t } = useTranslation("threads");
  const tr = t;
  const [archived, setArchived] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const byId = useThreads((s) => s.byId);
  const list = threadsOf(byId, channelId, archived);

  useEffect(() => {
    setLoading(true);
    rest.threads(channelId, archived).then(
      (threads) => {
        useThreads.getState().upsertMany(threads);
        setLoading(false);
      },
      (e) => {
        setError(describeError(e));
        setLoading(false);
      },
    );
  }, [channelId, archived]);

  return (
    <div role="dialog" aria-label={archived ? t("archivedThreads") : t("activeThreads")} className="absolute right-2 top-12 z-30 w-80 rounded border border-line bg-main p-2 shadow-lg" data-testid="thread-list">
      <div className="mb-1 flex items-center gap-2 px-1">
        <h2 className="flex-1 text-sm font-semibold">{archived ? t("archivedThreads") : t("activeThreads")}</h2>
        <button type="button" className="text-xs text-accent underline" onClick={() => setArchived(!archived)} data-testid="thread-list-archived">
          {archived ? t("showActive") : t("showArchived")}
        </button>
        <button type="button" aria-label={t("closeList")} className="text-muted hover:text-fg" onClick={onClose}>✕</button>
      </div>
      {error ? <p role="alert" className="px-1 text-sm text-danger">{error}</p> : null}
      {list.length === 0 ? (
        <p className="px-1 py-2 text-sm text-muted">{loading ? t("loading") : archived ? t("noArchived") : t("noActive")}</p>
      ) : (
        <ul className="max-h-80 overflow-y-auto">
          {list.map((t) => (
            <li key={t.id}>
              <button
                type="button"
                className="flex w-full flex-col items-start rounded px-2 py-1.5 text-left hover:bg-hover"
                onClick={() => {
                  useThreads.getState().open(t.id);
                  onClose();
                }}
                data-testid={`thread-list-item-${t.id}`}
              >
                <Isolated className="w-full truncate font-medium" text={t.name} />
                <span className="text-xs text-muted">
                  {countLabel(t.message_count)} · {archived && t.archived_at ? tr("archivedAt", { when: formatDateTime(t.archived_at) }) : tr("lastActivityAt", { when: formatDateTime(t.last_activity_at) })}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
