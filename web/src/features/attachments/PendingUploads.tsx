import type { UploadItem, UploadQueue } from "./upload";
import { Isolated } from "../../ui/Isolated";
import { fileIcon, typeLabel } from "./display";
import { formatSize } from "./limits";
import { useTranslation } from "react-i18next";
import { formatNumber } from "../../i18n/format";

/** The files added to the composer, above the text box: preview, name, size, progress, and cancel / retry / remove. */
export function PendingUploads({ queue, items }: { queue: UploadQueue; items: readonly UploadItem[] }) {
  const { t } = useTranslation("attachments");
  if (!items.length) return null;
  const uploading = items.filter((i) => i.status === "uploading").length;
  return (
    <div className="border-b border-line px-3 pb-2 pt-3" data-testid="upload-list">
      <p className="sr-only" role="status" aria-live="polite">
        {uploading ? t("uploadingFiles", { count: uploading }) : ""}
      </p>
      <ul aria-label={t("filesToSend")} className="flex gap-2 overflow-x-auto pb-1">
        {items.map((item) => (
          <UploadCard key={item.key} item={item} queue={queue} />
        ))}
      </ul>
    </div>
  );
}

function UploadCard({ item, queue }: { item: UploadItem; queue: UploadQueue }) {
  const { t } = useTranslation("attachments");
  const percent = Math.round(item.progress * 100);
  const removeLabel = item.status === "uploading" ? t("cancelUpload", { name: item.filename }) : t("removeName", { name: item.filename });
  return (
    <li
      className={`relative flex w-48 shrink-0 flex-col gap-1 rounded border bg-main p-2 ${item.status === "error" ? "border-danger" : "border-line"}`}
      data-testid="upload-item"
      data-status={item.status}
      data-filename={item.filename}
    >
      <div className="flex h-20 items-center justify-center overflow-hidden rounded bg-elevated">
        {item.previewUrl ? (
          <img src={item.previewUrl} alt={item.filename} className="h-full w-full object-cover" data-testid="upload-preview" />
        ) : (
          <span aria-hidden="true" className="text-4xl">{fileIcon(item.contentType)}</span>
        )}
      </div>
      <div className="min-w-0 text-sm">
        <Isolated className="block truncate font-medium" text={item.filename} />
        <span className="text-xs text-muted">
          {formatSize(item.size)} · {typeLabel(item.contentType, item.filename, t)}
        </span>
      </div>
      {item.status === "uploading" ? (
        <div className="flex items-center gap-2">
          <div
            role="progressbar"
            aria-label={t("uploadingName", { name: item.filename })}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            className="h-1.5 flex-1 overflow-hidden rounded bg-elevated"
            data-testid="upload-progress"
          >
            <div className="h-full bg-accent transition-[width]" style={{ width: `${percent}%` }} />
          </div>
          <span className="w-14 text-right text-xs tabular-nums text-muted" data-testid="upload-percent">
            {percent >= 100 ? t("saving") : `${formatNumber(percent)}%`}
          </span>
        </div>
      ) : item.status === "done" ? (
        <span className="text-xs text-ok" data-testid="upload-done">Uploaded ✓</span>
      ) : (
        <div className="flex flex-col gap-1">
          <p role="alert" className="text-xs text-danger" data-testid="upload-error">{item.error}</p>
          {item.retryable ? (
            <button type="button" onClick={() => queue.retry(item.key)} className="self-start rounded bg-elevated px-2 py-0.5 text-xs hover:bg-hover" aria-label={t("retryName", { name: item.filename })} data-testid="upload-retry">
              {t("retry")}
            </button>
          ) : null}
        </div>
      )}
      <button
        type="button"
        onClick={() => queue.cancel(item.key)}
        aria-label={removeLabel}
        title={removeLabel}
        className="absolute right-1 top-1 flex h-6 w-6 items-center justify-center rounded-full bg-main/90 text-sm text-muted shadow hover:text-danger"
        data-testid="upload-remove"
      >
        ✕
      </button>
    </li>
  );
}
