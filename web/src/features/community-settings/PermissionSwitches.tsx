import type { PermissionTable } from "../../api/types";
import { hasBit, withPermission } from "./rules";

type PermissionInfo = PermissionTable["community"][number];

/**
 * A role's permissions as one switch each, with the server's description under its name: the community roles editor and
 * the pod roles section at /admin (their lists and wording differ, the switches do not).
 */
export function PermissionSwitches({ legend, loadingText, permissions, value, busy, label, onChange }: {
  legend: string;
  /** Shown while the permission list has not arrived. */
  loadingText: string;
  permissions: readonly PermissionInfo[] | undefined;
  /** The role's permission bit set, as a decimal string. */
  value: string;
  busy: boolean;
  label: (name: string) => string;
  onChange: (permissions: string) => void;
}) {
  return (
    <fieldset className="flex flex-col gap-1">
      <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted">{legend}</legend>
      {!permissions ? <p className="text-sm text-muted">{loadingText}</p> : null}
      {permissions?.map((p) => {
        const on = hasBit(value, p.bit);
        return (
          <label key={p.name} className="flex items-start gap-3 rounded px-2 py-1.5 hover:bg-hover">
            <input
              type="checkbox"
              role="switch"
              aria-checked={on}
              data-permission={p.name}
              className="mt-1"
              checked={on}
              disabled={busy}
              onChange={() => onChange(withPermission(value, p.bit, !on))}
            />
            <span className="flex flex-col">
              <span className="text-sm font-medium">{label(p.name)}</span>
              <span className="text-xs text-muted">{p.description}</span>
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}
