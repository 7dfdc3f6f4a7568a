import { useEffect, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { describeError } from "../../api/errors";
import { Button } from "../../ui/Button";
import { FormError } from "../../ui/TextField";

export const RETENTION_MIN_DAYS = 1;
export const RETENTION_MAX_DAYS = 3650;

/** The days typed, when they are a whole number the server accepts (1–3650); null otherwise. */
export function parseRetentionDays(text: string): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const days = Number(text.trim());
  return days >= RETENTION_MIN_DAYS && days <= RETENTION_MAX_DAYS ? days : null;
}

/**
 * "Delete messages older than": Off, or a number of days (1–3650). Saving sends `message_retention_days` (0 for Off);
 * the community's members see the new value through COMMUNITY_UPDATE.
 */
export function RetentionControl({ value, onSave }: { value: number | null; onSave: (days: number | null) => Promise<void> }) {
  const { t } = useTranslation("communitySettings");
  const id = useId();
  const [enabled, setEnabled] = useState(value != null);
  const [text, setText] = useState(value != null ? String(value) : "30");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    setEnabled(value != null);
    if (value != null) setText(String(value));
  }, [value]);

  const days = enabled ? parseRetentionDays(text) : null;
  const invalid = enabled && days == null;
  const unchanged = enabled ? days === value : value == null;

  const save = async () => {
    if (invalid) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await onSave(days);
      setSaved(true);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="flex flex-col gap-2"
      data-testid="retention-control"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h4 id={`${id}-title`} className="text-sm font-semibold">{t("retention.title")}</h4>
      <div className="flex flex-wrap items-center gap-2">
        <select
          aria-labelledby={`${id}-title`}
          data-testid="retention-mode"
          className="rounded border border-line bg-elevated px-2 py-2 text-sm text-fg"
          value={enabled ? "days" : "off"}
          onChange={(e) => {
            setEnabled(e.target.value === "days");
            setSaved(false);
          }}
        >
          <option value="off">{t("retention.off")}</option>
          <option value="days">{t("retention.days")}</option>
        </select>
        {enabled ? (
          <label className="flex items-center gap-2">
            <input
              type="number"
              inputMode="numeric"
              min={RETENTION_MIN_DAYS}
              max={RETENTION_MAX_DAYS}
              step={1}
              data-testid="retention-days"
              aria-label={t("retention.daysLabel")}
              aria-invalid={invalid}
              className="w-24 rounded border border-line bg-elevated px-2 py-2 text-sm text-fg"
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setSaved(false);
              }}
            />
            <span>{t("retention.unit")}</span>
          </label>
        ) : null}
        <Button type="submit" disabled={busy || invalid || unchanged} data-testid="retention-save">{t("retention.save")}</Button>
      </div>
      <p className="text-xs text-muted" data-testid="retention-hint">
        {invalid
          ? t("retention.invalid", { min: RETENTION_MIN_DAYS, max: RETENTION_MAX_DAYS })
          : enabled && days != null
            ? t("retention.hintOn", { count: days })
            : t("retention.hintOff")}
      </p>
      {saved ? <p role="status" className="text-xs">{t("retention.saved")}</p> : null}
      <FormError message={error} />
    </form>
  );
}
