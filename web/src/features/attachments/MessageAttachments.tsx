import { useState } from "react";
import type { Attachment } from "../../api/types";
import { Isolated } from "../../ui/Isolated";
import { fileIcon, fitWithin, gridLayout, splitByKind, typeLabel } from "./display";
import { formatSize } from "./limits";
import { Lightbox } from "./Lightbox";
import { useTranslation } from "react-i18next";

const COL_SPAN: Record<number, string> = { 2: "col-span-2", 3: "col-span-3", 6: "col-span-6" };

/** A message's files: an image grid (opening a lightbox), video and audio players, and cards for everything else. */
export function MessageAttachments({ attachments }: { attachments: readonly Attachment[] }) {
  const { t } = useTranslation("attachments");
  const [open, setOpen] = useState<number | null>(null);
  if (!attachments.length) return null;
  const { image, video, audio, file } = splitByKind(attachments);
  return (
    <div className="mt-1 flex flex-col items-start gap-2" data-testid="attachments">
      {image.length ? <ImageGrid images={image} onOpen={setOpen} /> : null}
      {video.map((a) => (
        <figure key={a.id} className="max-w-full" data-testid="attachment-video">
          <video
            controls
            preload="metadata"
            src={a.url}
            aria-label={a.filename}
            className="max-h-80 max-w-[min(100%,28rem)] rounded bg-black"
            {...(a.width && a.height ? { width: fitWithin(a.width, a.height, 448, 320)!.width, height: fitWithin(a.width, a.height, 448, 320)!.height } : {})}
          />
          <figcaption className="mt-0.5 flex gap-2 text-xs text-muted">
            <Isolated className="truncate" text={a.filename} />
            <span>{formatSize(a.size_bytes)}</span>
            <a href={a.url} download={a.filename} className="text-accent hover:underline" aria-label={t("downloadName", { name: a.filename })}>{t("download")}</a>
          </figcaption>
        </figure>
      ))}
      {audio.map((a) => (
        <div key={a.id} className="flex w-[min(100%,26rem)] flex-col gap-1 rounded border border-line bg-elevated p-2" data-testid="attachment-audio">
          <div className="flex items-center gap-2 text-sm">
            <span aria-hidden="true">🎵</span>
            <Isolated className="min-w-0 flex-1 truncate font-medium" text={a.filename} />
            <span className="shrink-0 text-xs text-muted">{formatSize(a.size_bytes)}</span>
            <a href={a.url} download={a.filename} className="shrink-0 text-xs text-accent hover:underline" aria-label={t("downloadName", { name: a.filename })}>{t("download")}</a>
          </div>
          <audio controls preload="metadata" src={a.url} aria-label={a.filename} className="w-full" />
        </div>
      ))}
      {file.map((a) => (
        <FileCard key={a.id} attachment={a} />
      ))}
      {open !== null && image[open] ? <Lightbox images={image} index={open} onIndex={setOpen} onClose={() => setOpen(null)} /> : null}
    </div>
  );
}

function ImageGrid({ images, onOpen }: { images: Attachment[]; onOpen: (index: number) => void }) {
  const { t } = useTranslation("attachments");
  const layout = gridLayout(images.length);
  if (layout.single) {
    const a = images[0]!;
    const box = fitWithin(a.width, a.height);
    return (
      <button
        type="button"
        onClick={() => onOpen(0)}
        aria-label={t("openImage", { name: a.filename })}
        data-testid="attachment-image"
        className="block max-w-full overflow-hidden rounded bg-elevated focus-visible:ring-2 focus-visible:ring-accent"
        style={box ? { width: box.width, aspectRatio: `${box.width} / ${box.height}` } : undefined}
      >
        <img
          src={a.thumbnail_url ?? a.url}
          alt={a.filename}
          loading="lazy"
          {...(box ? { width: box.width, height: box.height } : {})}
          className={box ? "h-full w-full object-contain" : "max-h-72 max-w-[min(100%,25rem)]"}
        />
      </button>
    );
  }
  return (
    <div className="grid w-[min(100%,28rem)] auto-rows-[8rem] grid-cols-6 gap-1" data-testid="image-grid" data-count={images.length}>
      {images.map((a, i) => {
        const cell = layout.cells[i]!;
        return (
          <button
            key={a.id}
            type="button"
            onClick={() => onOpen(i)}
            aria-label={t("openImageOf", { name: a.filename, n: i + 1, total: images.length })}
            data-testid="attachment-image"
            className={`${COL_SPAN[cell.colSpan] ?? "col-span-2"} ${cell.rowSpan === 2 ? "row-span-2" : ""} overflow-hidden rounded bg-elevated focus-visible:ring-2 focus-visible:ring-accent`}
          >
            <img src={a.thumbnail_url ?? a.url} alt={a.filename} loading="lazy" className="h-full w-full object-cover" />
          </button>
        );
      })}
    </div>
  );
}

export function FileCard({ attachment: a }: { attachment: Attachment }) {
  const { t } = useTranslation("attachments");
  const type = typeLabel(a.content_type, a.filename, t);
  return (
    <div className="flex w-[min(100%,26rem)] items-center gap-3 rounded border border-line bg-elevated p-3" data-testid="attachment-file">
      <span aria-hidden="true" className="text-3xl">{fileIcon(a.content_type)}</span>
      <div className="min-w-0 flex-1">
        <a href={a.url} download={a.filename} className="block truncate font-medium text-accent hover:underline" data-testid="attachment-file-link">
          <Isolated text={a.filename} />
        </a>
        <p className="text-xs text-muted" data-testid="attachment-file-meta">
          {formatSize(a.size_bytes)} · {type}
        </p>
      </div>
      <a
        href={a.url}
        download={a.filename}
        aria-label={t("downloadName", { name: a.filename })}
        title={t("downloadName", { name: a.filename })}
        className="inline-flex h-8 w-8 shrink-0 items-center justify-center rounded text-muted hover:bg-hover hover:text-fg"
        data-testid="attachment-download"
      >
        ⬇
      </a>
    </div>
  );
}
