import { useRef, type ReactNode } from "react";
import { useAction } from "./useAction";
import { Button } from "./Button";

/** The picture types the server takes for avatars and icons. */
export const PICTURE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;

/** The server's default cap (VOXORA_MEDIA__MAX_AVATAR_BYTES, 8 MiB): checked here so a too-large file is never sent. */
export const MAX_PICTURE_BYTES = 8 * 1024 * 1024;

/** Why a chosen file cannot be a picture, or null when it can. */
export function pictureError(file: { type: string; size: number }): string | null {
  if (!(PICTURE_TYPES as readonly string[]).includes(file.type)) return "Choose a PNG, JPEG, GIF or WebP picture.";
  if (file.size > MAX_PICTURE_BYTES) return "That picture is larger than 8 MB. Choose a smaller one.";
  if (file.size === 0) return "That file is empty.";
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
    void run(() => onUpload(file), "Picture saved.");
  }

  return (
    <div className="flex items-center gap-4" data-testid={testId}>
      {preview}
      <div className="flex flex-col gap-2">
        <div className="flex flex-wrap gap-2">
          <Button type="button" variant="secondary" disabled={busy} onClick={() => input.current?.click()}>
            {hasPicture ? `Change ${label}` : `Upload ${label}`}
          </Button>
          {hasPicture ? (
            <Button type="button" variant="ghost" disabled={busy} onClick={() => void run(onRemove, "Picture removed.")}>
              Remove
            </Button>
          ) : null}
          <input
            ref={input}
            type="file"
            accept={PICTURE_TYPES.join(",")}
            aria-label={`${label} file`}
            data-testid={`${testId}-input`}
            className="hidden"
            onChange={(e) => chosen(e.target.files)}
          />
        </div>
        <p className="text-xs text-muted">PNG, JPEG, GIF or WebP, up to 8 MB. The centre square is kept.</p>
        {error ? (
          <p role="alert" className="text-sm text-danger" data-testid={`${testId}-error`}>
            {error}
          </p>
        ) : null}
        <span role="status" className="text-sm text-muted">
          {busy ? "Uploading…" : status}
        </span>
      </div>
    </div>
  );
}
