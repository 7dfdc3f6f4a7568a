import i18n from "../../i18n";
import { formatNumber } from "../../i18n/format";
// The checks the client makes before uploading anything (issue 16, seed 000 §C2-5). The server
// re-checks all of them (and sniffs the bytes); these only spare the person a useless upload and give
// a clear reason per file.

/** Files per message (the server refuses more than 10 attachment ids on a message). */
export const MAX_FILES = 10;

/**
 * Bytes per file. The server's default (VOXORA_MEDIA__MAX_UPLOAD_BYTES, 25 MiB); no endpoint exposes the
 * configured value yet, so a pod configured lower (VOXORA_MEDIA__MAX_UPLOAD_BYTES, or the upload limit set at /admin) answers 413 after the create request instead (its
 * detail is shown), and a pod configured higher is held to 25 MiB here.
 */
export const MAX_BYTES = 25 * 1024 * 1024;

/**
 * Types the client offers to send: the server's allowlist (MediaRules.Allowed: types whose bytes it can check) —
 * images browsers render safely, common video and audio, PDF, plain text, office documents and zip. Never HTML,
 * SVG or programs.
 */
const ALLOWED = new Set([
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "video/mp4",
  "video/webm",
  "video/quicktime",
  "video/ogg",
  "audio/mpeg",
  "audio/ogg",
  "audio/wav",
  "audio/x-wav",
  "audio/webm",
  "audio/mp4",
  "audio/flac",
  "audio/aac",
  "application/pdf",
  "text/plain",
  "text/markdown",
  "text/csv",
  "application/zip",
  "application/msword",
  "application/vnd.ms-excel",
  "application/vnd.ms-powerpoint",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.oasis.opendocument.text",
  "application/vnd.oasis.opendocument.spreadsheet",
  "application/vnd.oasis.opendocument.presentation",
]);

/** Other names browsers give the same types (Chrome on Windows calls a zip application/x-zip-compressed). */
const ALIASES: Record<string, string> = {
  "application/x-zip-compressed": "application/zip",
  "application/x-zip": "application/zip",
  "audio/mp3": "audio/mpeg",
  "audio/x-mpeg": "audio/mpeg",
  "audio/wave": "audio/wav",
  "audio/vnd.wave": "audio/wav",
  "audio/x-flac": "audio/flac",
  "audio/x-m4a": "audio/mp4",
  "audio/m4a": "audio/mp4",
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "text/x-markdown": "text/markdown",
};

/** Browsers leave File.type empty for extensions they do not know; these are the ones we can name. */
const BY_EXTENSION: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  pdf: "application/pdf",
  txt: "text/plain",
  log: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  zip: "application/zip",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  odt: "application/vnd.oasis.opendocument.text",
  ods: "application/vnd.oasis.opendocument.spreadsheet",
  odp: "application/vnd.oasis.opendocument.presentation",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  wav: "audio/wav",
  m4a: "audio/mp4",
  flac: "audio/flac",
  mp4: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
  ogv: "video/ogg",
  aac: "audio/aac",
};

/** The content type to declare for a file: what the browser says (by its usual name), or a guess from the extension; "" when unknown. */
export function contentTypeOf(file: { name: string; type: string }): string {
  const declared = file.type.split(";")[0]!.trim().toLowerCase();
  if (declared) return ALIASES[declared] ?? declared;
  const dot = file.name.lastIndexOf(".");
  return dot >= 0 ? (BY_EXTENSION[file.name.slice(dot + 1).toLowerCase()] ?? "") : "";
}

export function isAllowedType(contentType: string): boolean {
  return ALLOWED.has(contentType.toLowerCase());
}

/** "2.4 MB": decimal-looking units over powers of 1024 (as Discord and most file managers show them). */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  if (bytes < 1024) return i18n.t("attachments:bytes", { count: bytes });
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal below 10 ("2.4 MB"), none above ("240 KB"); a rounded 1024 moves up a unit.
  let shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  if (shown >= 1024 && unit < units.length - 1) {
    shown = 1;
    unit++;
  }
  return `${formatNumber(shown)} ${units[unit]}`;
}

export interface FileCheck {
  file: File;
  contentType: string;
  /** Why it cannot be sent; absent when it can. */
  error?: string;
}

/**
 * Checks files the person added, given how many files the message already holds. Every file gets its
 * own verdict; files past the per-message limit are refused, not silently dropped.
 */
export function checkFiles(files: readonly File[], alreadyQueued: number, maxBytes: number = MAX_BYTES): FileCheck[] {
  let room = Math.max(0, MAX_FILES - alreadyQueued);
  return files.map((file) => {
    const contentType = contentTypeOf(file);
    if (file.size === 0) return { file, contentType, error: i18n.t("attachments:empty") };
    if (file.size > maxBytes) return { file, contentType, error: i18n.t("attachments:tooBig", { size: formatSize(file.size), max: formatSize(maxBytes) }) };
    if (!isAllowedType(contentType)) {
      return { file, contentType, error: contentType ? i18n.t("attachments:typeNotAllowedNamed", { type: contentType }) : i18n.t("attachments:typeNotAllowed") };
    }
    if (room === 0) return { file, contentType, error: i18n.t("attachments:tooMany", { max: MAX_FILES }) };
    room--;
    return { file, contentType };
  });
}
