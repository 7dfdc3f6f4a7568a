import { useRef, useState, type DragEvent } from "react";
import { useTranslation } from "react-i18next";

const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes("Files");

/**
 * Drag and drop of files onto an area (the channel: messages and composer; the innermost area takes the drop). `dragging` is true while
 * files are held over it, for the drop overlay; entering and leaving child elements does not flicker.
 */
export function useFileDrop(onFiles: (files: File[]) => void) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const handlers = {
    onDragEnter: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.stopPropagation();
      depth.current++;
      setDragging(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.stopPropagation();
      e.dataTransfer.dropEffect = "copy";
    },
    onDragLeave: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.stopPropagation();
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.stopPropagation();
      depth.current = 0;
      setDragging(false);
      const files = Array.from(e.dataTransfer.files ?? []);
      if (files.length) onFiles(files);
    },
  };
  return { dragging, handlers };
}

export function DropOverlay({ target }: { target: string }) {
  const { t } = useTranslation("attachments");
  return (
    <div className="pointer-events-none absolute inset-2 z-40 flex items-center justify-center rounded-lg border-2 border-dashed border-accent bg-main/90" data-testid="drop-zone">
      <p className="text-center text-lg font-semibold">
        <span aria-hidden="true" className="mb-2 block text-4xl">📎</span>
        {t("dropFiles", { target })}
      </p>
    </div>
  );
}

/**
 * A file dropped outside a drop area would make the browser leave the app to show it: while the app
 * shell is mounted such drops do nothing. Returns the undo.
 */
export function preventStrayFileDrops(target: Window = window): () => void {
  const stop = (e: globalThis.DragEvent) => {
    if (Array.from(e.dataTransfer?.types ?? []).includes("Files")) e.preventDefault();
  };
  target.addEventListener("dragover", stop);
  target.addEventListener("drop", stop);
  return () => {
    target.removeEventListener("dragover", stop);
    target.removeEventListener("drop", stop);
  };
}
