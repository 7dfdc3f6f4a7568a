import { useRef, type ReactNode } from "react";
import { useAction } from "./useAction";
import { Button } from "./Button";
import i18n from "../i18n";
import { useTranslation } from "react-i18next";

/** The picture types the server takes for avatars and icons. */
export const PICTURE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;

/** The server's default cap (VOXORA_MEDIA__MAX_AVATAR_BYTES, 8 MiB): checked here so a too-large file is never sent. */
export const MAX_PICTURE_BYTES = 8 * 1024 * 1024;

/** Why a chosen file cannot be a picture, or null when it can. */
export function pictureError(file: { type: string; size: number }): string | null {
  if (!(PICTURE_TYPES as readonly string[]).includes(file.type)) return i18n.t("picture.wrongType");
  if (file.size > MAX_PICTURE_BYTES) return i18n.t("picture.tooLarge");
  if (file.size === 0) return i18n.t("picture.empty");
  return null;
}

/**
 * Choose, replace or remove a square picture (an avatar or a community icon). The server cuts the centre square; the
 * preview shows the current one. Errors are said in words beside the buttons.
 */
export function PicturePicker({
  preview,
  hasPicture,
  label,
  testId,
  onUpload,
  onRemove,
}: {
  preview: ReactNode;
  hasPicture: boolean;
  label: string;
  testId: string;
  onUpload: (file: File) => Promise<unknown>;
  onRemove: () => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const { busy, error, status, run, setError, setStatus } = useAction();

  function chosen(files: FileList | null) {
    const file = files?.[0];
    if (input.current) input.current.value = "";
    if (!file) return;
    const problem = pictureError(file);
    if (problem) {
      setStatus(null);
      setError(problem);
      return;
    }
    void run(() => onUpload(file), t("picture.saved"));
  }

  return (
    <div className="flex items-center gap-4" data-testid={testId}>
      {preview}
      <div className="flex flex-col gap-2">
        <div className="flex flex-wrap gap-2">
          <Button type="button" variant="secondary" disabled={busy} onClick={() => input.current?.click()}>
            {hasPicture ? t("picture.change", { label }) : t("picture.upload", { label })}
          </Button>
          {hasPicture ? (
            <Button type="button" variant="ghost" disabled={busy} onClick={() => void run(onRemove, t("picture.removed"))}>
              {t("remove")}
            </Button>
          ) : null}
          <input
            ref={input}
            type="file"
            accept={PICTURE_TYPES.join(",")}
            aria-label={t("picture.file", { label })}
            data-testid={`${testId}-input`}
            className="hidden"
            onChange={(e) => chosen(e.target.files)}
          />
        </div>
        <p className="text-xs text-muted">{t("picture.hint")}</p>
        {error ? (
          <p role="alert" className="text-sm text-danger" data-testid={`${testId}-error`}>
            {error}
          </p>
        ) : null}
        <span role="status" className="text-sm text-muted">
          {busy ? t("picture.uploading") : status}
        </span>
      </div>
    </div>
  );
}
