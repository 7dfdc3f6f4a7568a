// How attachments are shown, the pure part: which player or card a file gets, the image grid's shape,
// and the size an image is given before it loads (so the list does not jump).
import type { TFunction } from "i18next";
import type { Attachment } from "../../api/types";

export type AttachmentKind = "image" | "video" | "audio" | "file";

/** Raster images every browser shows (SVG and others are offered as files, never rendered). */
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

export function kindOf(contentType: string): AttachmentKind {
  const t = contentType.toLowerCase().split(";")[0]!.trim();
  if (IMAGE_TYPES.has(t)) return "image";
  if (t.startsWith("video/")) return "video";
  if (t.startsWith("audio/")) return "audio";
  return "file";
}

export function splitByKind(attachments: readonly Attachment[]): Record<AttachmentKind, Attachment[]> {
  const out: Record<AttachmentKind, Attachment[]> = { image: [], video: [], audio: [], file: [] };
  for (const a of attachments) out[kindOf(a.content_type)].push(a);
  return out;
}

/**
 * What kind of file a card shows, as an identifier (never shown): "extension" is an unknown type named by the file's
 * extension, "raw" an unknown type without one (its content type is shown as is), "file" one without either.
 */
export type FileType =
  | "pdf" | "zip" | "text" | "csv" | "rtf" | "word" | "spreadsheet" | "presentation"
  | "image" | "video" | "audio" | "extension" | "raw" | "file";

export interface FileTypeInfo {
  type: FileType;
  /** The upper-cased extension, for "extension". */
  ext?: string;
  /** The content type, for "raw". */
  raw?: string;
}

export function fileTypeOf(contentType: string, filename: string): FileTypeInfo {
  const t = contentType.toLowerCase().split(";")[0]!.trim();
  if (t === "application/pdf") return { type: "pdf" };
  if (t === "application/zip" || t === "application/x-zip-compressed") return { type: "zip" };
  if (t === "text/plain") return { type: "text" };
  if (t === "text/csv") return { type: "csv" };
  if (t === "application/rtf") return { type: "rtf" };
  if (t === "application/msword" || t.includes("wordprocessingml") || t === "application/vnd.oasis.opendocument.text") return { type: "word" };
  if (t === "application/vnd.ms-excel" || t.includes("spreadsheetml") || t === "application/vnd.oasis.opendocument.spreadsheet") return { type: "spreadsheet" };
  if (t === "application/vnd.ms-powerpoint" || t.includes("presentationml") || t === "application/vnd.oasis.opendocument.presentation") return { type: "presentation" };
  if (t.startsWith("image/")) return { type: "image" };
  if (t.startsWith("video/")) return { type: "video" };
  if (t.startsWith("audio/")) return { type: "audio" };
  const dot = filename.lastIndexOf(".");
  if (dot > 0 && dot < filename.length - 1) return { type: "extension", ext: filename.slice(dot + 1).toUpperCase() };
  return t ? { type: "raw", raw: t } : { type: "file" };
}

/** A short name for a file's type, as shown on its card ("PDF", "Word document", "ZIP archive"), in the UI language. */
export function typeLabel(contentType: string, filename: string, t: TFunction<"attachments">): string {
  const info = fileTypeOf(contentType, filename);
  switch (info.type) {
    case "raw":
      return info.raw!;
    case "extension":
      return t("types.extension", { ext: info.ext! });
    default:
      return t(`types.${info.type}`);
  }
}

export function fileIcon(contentType: string): string {
  switch (fileTypeOf(contentType, "").type) {
    case "pdf":
      return "📄";
    case "zip":
      return "🗜️";
    case "spreadsheet":
    case "csv":
      return "📊";
    case "presentation":
      return "📽️";
    case "image":
      return "🖼️";
    case "video":
      return "🎬";
    case "audio":
      return "🎵";
    case "text":
    case "rtf":
    case "word":
      return "📝";
    default:
      return "📎";
  }
}

export interface GridCell {
  /** Columns of the 6-column grid the image takes. */
  colSpan: number;
  rowSpan: number;
}

export interface GridLayout {
  /** One image: shown at its own proportions instead of in cells. */
  single: boolean;
  cells: GridCell[];
}

/**
 * The grid for a message's images, on 6 columns: 2 side by side; 3 as one tall on the left and two
 * stacked on the right; 4 as 2×2; 5 and more in rows of three, the first row taking the remainder
 * (one full-width image, or two halves) so no row has a gap.
 */
export function gridLayout(count: number): GridLayout {
  if (count <= 0) return { single: false, cells: [] };
  if (count === 1) return { single: true, cells: [{ colSpan: 6, rowSpan: 1 }] };
  if (count === 2) return { single: false, cells: [{ colSpan: 3, rowSpan: 1 }, { colSpan: 3, rowSpan: 1 }] };
  if (count === 3) return { single: false, cells: [{ colSpan: 3, rowSpan: 2 }, { colSpan: 3, rowSpan: 1 }, { colSpan: 3, rowSpan: 1 }] };
  if (count === 4) return { single: false, cells: Array.from({ length: 4 }, () => ({ colSpan: 3, rowSpan: 1 })) };
  const remainder = count % 3;
  const cells: GridCell[] = [];
  for (let i = 0; i < count; i++) {
    if (i < remainder) cells.push({ colSpan: remainder === 1 ? 6 : 3, rowSpan: 1 });
    else cells.push({ colSpan: 2, rowSpan: 1 });
  }
  return { single: false, cells };
}

/** The box a single image gets before it loads: its own size, scaled down to fit max × max (never up). */
export function fitWithin(width: number | null | undefined, height: number | null | undefined, maxWidth = 400, maxHeight = 300): { width: number; height: number } | null {
  if (!width || !height || width <= 0 || height <= 0) return null;
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
