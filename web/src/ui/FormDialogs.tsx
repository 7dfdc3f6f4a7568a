import { useState, type FormEvent } from "react";
import { ApiError, describeError } from "../api/errors";
import { Button } from "./Button";
import { Dialog, DialogActions } from "./Dialog";
import { FormError, TextField } from "./TextField";
import i18n from "../i18n";

/** A dialog with one text field (create/rename). `field` is the server's field name for errors. */
export function NameDialog({
  title,
  label,
  initial = "",
  submitLabel,
  field = "name",
  onSubmit,
  onClose,
  testId,
}: {
  title: string;
  label: string;
  initial?: string;
  submitLabel: string;
  field?: string;
  onSubmit: (value: string) => Promise<unknown>;
  onClose: () => void;
  testId?: string;
}) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<ApiError | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      await onSubmit(value.trim());
      onClose();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
      if (!(err instanceof ApiError && err.field(field))) setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title={title} onClose={onClose} {...(testId ? { testId } : {})}>
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        <FormError message={message} />
        <TextField label={label} value={value} onChange={(e) => setValue(e.target.value)} error={error?.field(field)} autoFocus required />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            {i18n.t("cancel")}
          </Button>
          <Button type="submit" disabled={busy || !value.trim()}>
            {submitLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  onConfirm,
  onClose,
  testId,
}: {
  title: string;
  body: string;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
  testId?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  async function confirm() {
    setBusy(true);
    setMessage(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setMessage(describeError(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title={title} onClose={onClose} {...(testId ? { testId } : {})}>
      <p className="text-fg">{body}</p>
      <FormError message={message} />
      <DialogActions>
        <Button variant="secondary" onClick={onClose} autoFocus>
          {i18n.t("cancel")}
        </Button>
        <Button variant="danger" onClick={confirm} disabled={busy} data-testid="confirm-button">
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
