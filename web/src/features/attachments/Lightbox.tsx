import { useEffect, useRef, type KeyboardEvent } from "react";
import { createPortal } from "react-dom";
import type { Attachment } from "../../api/types";
import { Isolated } from "../../ui/Isolated";
import { formatSize } from "./limits";
import { useTranslation } from "react-i18next";

/**
 * A message's images at full size: Escape, the close button or a click outside the image closes it;
 * the arrow keys (and the buttons) move between the message's images; a link opens the original.
 * Focus stays inside while it is open and returns to the image that opened it.
 */
export function Lightbox({
  images,
  index,
  onIndex,
  onClose,
}: {
  images: readonly Attachment[];
  index: number;
  onIndex: (index: number) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation("attachments");
  const ref = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const image = images[index]!;
  const many = images.length > 1;

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => opener?.focus();
  }, []);

  const go = (step: number) => onIndex((index + step + images.length) % images.length);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (e.key === "ArrowRight" && many) {
      e.preventDefault();
      e.stopPropagation();
      go(1);
    } else if (e.key === "ArrowLeft" && many) {
      e.preventDefault();
      e.stopPropagation();
      go(-1);
    } else if (e.key === "Tab") {
      // Keep focus inside the dialog.
      const focusables = Array.from(ref.current?.querySelectorAll<HTMLElement>("button, a[href]") ?? []);
      if (!focusables.length) return;
      const first = focusables[0]!;
      const last = focusables[focusables.length - 1]!;
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  }

  const label = many ? t("imageOf", { n: index + 1, total: images.length, name: image.filename }) : t("image", { name: image.filename });
  return createPortal(
    <div
      ref={ref}
      role="dialog"
      aria-modal="true"
      aria-label={label}
      data-testid="lightbox"
      data-index={index}
      onKeyDown={onKeyDown}
      onClick={(e) => {
        // A click on the backdrop (not on the image or the controls) closes.
        if (e.target === e.currentTarget || (e.target as HTMLElement).dataset.backdrop === "true") onClose();
      }}
      className="fixed inset-0 z-50 flex flex-col bg-black/85 text-white"
    >
      <div className="flex items-center gap-2 px-4 py-2">
        <p className="min-w-0 flex-1 truncate text-sm">
          <Isolated className="font-medium" text={image.filename} />
          <span className="ml-2 text-white/70">
            {formatSize(image.size_bytes)}
            {image.width && image.height ? ` · ${image.width}×${image.height}` : ""}
            {many ? ` · ${index + 1} / ${images.length}` : ""}
          </span>
        </p>
        <a
          href={image.url}
          target="_blank"
          rel="noopener noreferrer"
          className="rounded px-2 py-1 text-sm hover:bg-white/10"
          data-testid="lightbox-original"
        >
          {t("openOriginal")}
        </a>
        <a href={image.url} download={image.filename} className="rounded px-2 py-1 text-sm hover:bg-white/10" aria-label={t("downloadName", { name: image.filename })}>
          {t("download")}
        </a>
        <button ref={closeRef} type="button" onClick={onClose} aria-label="Close image viewer" title="Close (Escape)" className="h-8 w-8 rounded text-lg hover:bg-white/10" data-testid="lightbox-close">
          ✕
        </button>
      </div>
      <div className="relative flex min-h-0 flex-1 items-center justify-center p-4" data-backdrop="true">
        {many ? (
          <button type="button" onClick={() => go(-1)} aria-label="Previous image" className="absolute left-2 h-12 w-10 rounded bg-black/40 text-2xl hover:bg-black/70" data-testid="lightbox-prev">
            ‹
          </button>
        ) : null}
        <img
          key={image.id}
          src={image.url}
          alt={image.filename}
          className="max-h-full max-w-full object-contain"
          data-testid="lightbox-image"
          {...(image.width && image.height ? { width: image.width, height: image.height } : {})}
        />
        {many ? (
          <button type="button" onClick={() => go(1)} aria-label="Next image" className="absolute right-2 h-12 w-10 rounded bg-black/40 text-2xl hover:bg-black/70" data-testid="lightbox-next">
            ›
          </button>
        ) : null}
      </div>
    </div>,
    document.body,
  );
}
