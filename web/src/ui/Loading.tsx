import i18n from "../i18n";
export function Loading({ label = i18n.t("loading") }: { label?: string }) {
  return (
    <div role="status" className="flex h-full items-center justify-center text-muted">
      {label}
    </div>
  );
}
