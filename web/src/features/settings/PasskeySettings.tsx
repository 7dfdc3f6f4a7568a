import { useCallback, useEffect, useState, type FormEvent } from "react";
import { rest } from "../../app/runtime";
import type { Passkey } from "../../api/types";
import { Button } from "../../ui/Button";
import { FormError, TextField } from "../../ui/TextField";
import { Isolated } from "../../ui/Isolated";
import { createPasskey, passkeyError, passkeysSupported } from "../auth/webauthn";
import { formatDate, formatDateTime } from "../../i18n/format";
import { useTranslation } from "react-i18next";

type Mode = { kind: "list" } | { kind: "add" } | { kind: "rename"; passkey: Passkey } | { kind: "remove"; passkey: Passkey };

/**
 * Settings → Passkeys: the account's passkeys (name, when added, when last used), add one (a name and the password,
 * then the browser's passkey dialog), rename one, or remove one (with the password).
 */
export function PasskeySettings() {
  const { t } = useTranslation("settings");
  const [list, setList] = useState<Passkey[] | null>(null);
  const [mode, setMode] = useState<Mode>({ kind: "list" });
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    rest.passkeys().then(setList, (e) => setError(passkeyError(e)));
  }, []);
  useEffect(load, [load]);

  const done = (message: string) => {
    setMode({ kind: "list" });
    setNotice(message);
    load();
  };

  return (
    <div className="flex flex-col gap-3" data-testid="passkey-settings">
      <p className="text-sm text-muted">{t("passkey.intro")}</p>
      <FormError message={error} />
      {notice ? <p role="status" className="text-sm" data-testid="passkey-notice">{notice}</p> : null}
      {list && list.length === 0 ? <p className="text-muted" data-testid="passkey-none">{t("passkey.none")}</p> : null}
      <ul className="flex flex-col gap-2" data-testid="passkey-list">
        {list?.map((p) => (
          <li key={p.id} className="flex flex-wrap items-center gap-3 rounded bg-main p-3" data-testid="passkey-item">
            <div className="min-w-0 flex-1">
              <div className="truncate font-medium" data-testid="passkey-name"><Isolated text={p.name} /></div>
              <div className="text-sm text-muted">
                {t("passkey.created", { date: formatDate(p.created_at) })} · {p.last_used_at ? t("passkey.lastUsed", { date: formatDateTime(p.last_used_at) }) : t("passkey.neverUsed")}
              </div>
            </div>
            <Button variant="secondary" onClick={() => { setNotice(null); setMode({ kind: "rename", passkey: p }); }} aria-label={`${t("passkey.rename")}: ${p.name}`}>
              {t("passkey.rename")}
            </Button>
            <Button variant="danger" onClick={() => { setNotice(null); setMode({ kind: "remove", passkey: p }); }} aria-label={`${t("passkey.remove")}: ${p.name}`}>
              {t("passkey.remove")}
            </Button>
          </li>
        ))}
      </ul>
      {mode.kind === "add" ? <AddPasskey onCancel={() => setMode({ kind: "list" })} onAdded={() => done(t("passkey.added"))} /> : null}
      {mode.kind === "rename" ? <RenamePasskey passkey={mode.passkey} onCancel={() => setMode({ kind: "list" })} onRenamed={() => done("")} /> : null}
      {mode.kind === "remove" ? <RemovePasskey passkey={mode.passkey} onCancel={() => setMode({ kind: "list" })} onRemoved={() => done(t("passkey.removed"))} /> : null}
      {mode.kind === "list" ? (
        <div>
          {passkeysSupported() ? (
            <Button onClick={() => { setNotice(null); setMode({ kind: "add" }); }} data-testid="passkey-add">{t("passkey.add")}</Button>
          ) : (
            <p className="text-sm text-muted">{t("passkey.unsupported")}</p>
          )}
        </div>
      ) : null}
    </div>
  );
}

function AddPasskey({ onCancel, onAdded }: { onCancel: () => void; onAdded: () => void }) {
  const { t } = useTranslation("settings");
  const [name, setName] = useState(() => t("passkey.defaultName"));
  const [password, setPassword] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const options = await rest.beginPasskeyRegistration({ password });
      const credential = await createPasskey(options.public_key);
      await rest.completePasskeyRegistration({ credential, name: name.trim() });
      onAdded();
    } catch (err) {
      setMessage(passkeyError(err));
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" noValidate data-testid="passkey-add-form">
      <FormError message={message} />
      <TextField label={t("passkey.name")} value={name} maxLength={64} onChange={(e) => setName(e.target.value)} hint={t("passkey.nameHint")} autoFocus data-testid="passkey-name-input" />
      <TextField label={t("passkey.yourPassword")} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="passkey-password" />
      <div className="flex gap-3">
        <Button type="submit" disabled={busy || !password || !name.trim()} data-testid="passkey-create">{busy ? t("passkey.creating") : t("passkey.create")}</Button>
        <Button type="button" variant="secondary" onClick={onCancel}>{t("passkey.cancel")}</Button>
      </div>
    </form>
  );
}

function RenamePasskey({ passkey, onCancel, onRenamed }: { passkey: Passkey; onCancel: () => void; onRenamed: () => void }) {
  const { t } = useTranslation("settings");
  const [name, setName] = useState(passkey.name);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      await rest.renamePasskey(passkey.id, { name: name.trim() });
      onRenamed();
    } catch (err) {
      setMessage(passkeyError(err));
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" noValidate data-testid="passkey-rename-form">
      <FormError message={message} />
      <TextField label={t("passkey.name")} value={name} maxLength={64} onChange={(e) => setName(e.target.value)} autoFocus data-testid="passkey-rename-input" />
      <div className="flex gap-3">
        <Button type="submit" disabled={busy || !name.trim()} data-testid="passkey-rename-save">{t("passkey.save")}</Button>
        <Button type="button" variant="secondary" onClick={onCancel}>{t("passkey.cancel")}</Button>
      </div>
    </form>
  );
}

function RemovePasskey({ passkey, onCancel, onRemoved }: { passkey: Passkey; onCancel: () => void; onRemoved: () => void }) {
  const { t } = useTranslation("settings");
  const [password, setPassword] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      await rest.deletePasskey(passkey.id, { password });
      onRemoved();
    } catch (err) {
      setMessage(passkeyError(err));
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" noValidate data-testid="passkey-remove-form">
      <p>{t("passkey.removeConfirm", { name: passkey.name })}</p>
      <FormError message={message} />
      <TextField label={t("passkey.yourPassword")} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus data-testid="passkey-remove-password" />
      <div className="flex gap-3">
        <Button type="submit" variant="danger" disabled={busy || !password} data-testid="passkey-remove-confirm">{t("passkey.remove")}</Button>
        <Button type="button" variant="secondary" onClick={onCancel}>{t("passkey.cancel")}</Button>
      </div>
    </form>
  );
}
