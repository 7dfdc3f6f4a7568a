import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { ChannelType, type Channel } from "../../api/types";
import { useChannels } from "../../stores/channels";
import { directTitle, isDirectType, useDirectChannels } from "../../stores/directChannels";
import { useMembers } from "../../stores/members";
import { sameScope, useSearch, type SearchScope } from "../../stores/search";
import { useSession } from "../../stores/session";
import { useThreads } from "../../stores/threads";
import { parseQuery, type QuerySources, type SearchPerson, type SearchPlace } from "./query";
import { closeSearch, runSearch } from "./run";
import { applySuggestion, suggest, type SearchSuggestion } from "./suggest";
import { useTranslation } from "react-i18next";

export function scopeOf(channel: Channel): SearchScope {
  return isDirectType(channel.type) ? { kind: "direct" } : { kind: "community", communityId: channel.community_id };
}

/** The names `from:`, `mentions:` and `in:` may use: the community's members, text channels and known threads, or the DMs' people and conversations. */
function useSources(scope: SearchScope): QuerySources {
  const communityId = scope.kind === "community" ? scope.communityId : null;
  const members = useMembers((s) => (communityId ? s.byCommunity[communityId] : undefined));
  const channels = useChannels((s) => s.byId);
  const threads = useThreads((s) => s.byId);
  const direct = useDirectChannels((s) => s.byId);
  const me = useSession((s) => s.user);
  return useMemo(() => {
    if (!communityId) {
      const people = new Map<string, SearchPerson>();
      if (me) people.set(me.id, me);
      for (const c of Object.values(direct)) for (const r of c.recipients) people.set(r.id, r);
      const places: SearchPlace[] = Object.values(direct).map((c) => ({ id: c.id, name: directTitle(c, me?.id), kind: "direct" }));
      return { direct: true, people: [...people.values()], places };
    }
    const people = Object.values(members ?? {}).map((m) => m.user);
    const places: SearchPlace[] = [];
    for (const c of Object.values(channels)) {
      if (c.community_id === communityId && c.type === ChannelType.Text) places.push({ id: c.id, name: c.name, kind: "channel" });
    }
    for (const t of Object.values(threads)) {
      if (t.community_id !== communityId) continue;
      const parent = channels[t.parent_id]?.name;
      places.push({ id: t.id, name: t.name, kind: "thread", ...(parent ? { parentName: parent } : {}) });
    }
    return { direct: false, people, places };
  }, [communityId, members, channels, threads, direct, me]);
}

/**
 * The search box of the channel header: filters suggested as the person types (a combobox with a listbox: arrows
 * move, Enter takes the highlighted suggestion or searches, Escape closes the list, then the results), names
 * checked before anything is sent.
 */
export function SearchBox({ channel }: { channel: Channel }) {
  const { t } = useTranslation("search");
  const scope = useMemo(() => scopeOf(channel), [channel]);
  const sources = useSources(scope);
  const [text, setText] = useState(() => {
    const v = useSearch.getState().view;
    return v && sameScope(v.scope, scope) ? v.text : "";
  });
  const [caret, setCaret] = useState(0);
  const [focused, setFocused] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  const [chosen, setChosen] = useState<number | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const panelOpen = useSearch((s) => !!s.view && sameScope(s.view.scope, scope));
  const input = useRef<HTMLInputElement>(null);
  const pendingCaret = useRef<number | null>(null);
  const id = useId();
  const listId = `${id}-suggestions`;
  const errorId = `${id}-error`;

  const suggestions = useMemo(() => suggest(text, caret, sources), [text, caret, sources]);
  const open = focused && !dismissed && errors.length === 0 && suggestions.items.length > 0;
  const active = !open ? -1 : chosen !== null ? Math.min(chosen, suggestions.items.length - 1) : suggestions.preselect ? 0 : -1;

  useEffect(() => {
    if (pendingCaret.current === null || !input.current) return;
    input.current.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = null;
  }, [text]);

  function edit(next: string, at: number) {
    setText(next);
    setCaret(at);
    setChosen(null);
    setDismissed(false);
    setErrors([]);
  }

  function accept(s: SearchSuggestion) {
    const next = applySuggestion(text, suggestions, s);
    pendingCaret.current = next.caret;
    edit(next.text, next.caret);
  }

  function submit() {
    const parsed = parseQuery(text, sources);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    setErrors([]);
    setDismissed(true);
    runSearch(scope, text.trim(), parsed.params, useSearch.getState().view?.sort ?? "relevance");
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.nativeEvent.isComposing) return;
    const count = suggestions.items.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!count) return;
      e.preventDefault();
      if (!open) {
        setDismissed(false);
        setChosen(e.key === "ArrowDown" ? 0 : count - 1);
        return;
      }
      const from = active < 0 ? (e.key === "ArrowDown" ? -1 : count) : active;
      setChosen((from + (e.key === "ArrowDown" ? 1 : -1) + count) % count);
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (open && active >= 0) accept(suggestions.items[active]!);
      else submit();
    } else if (e.key === "Escape") {
      if (open) {
        e.preventDefault();
        setDismissed(true);
      } else if (errors.length) {
        e.preventDefault();
        setErrors([]);
      } else if (panelOpen) {
        e.preventDefault();
        closeSearch();
      }
    }
  }

  const label = scope.kind === "direct" ? t("searchDirect") : t("searchCommunity");
  return (
    <div className="relative w-24 shrink-0 transition-[width] sm:w-44 sm:focus-within:w-64" role="search" data-testid="search-box">
      <label htmlFor={`${id}-input`} className="sr-only">{label}</label>
      <span aria-hidden="true" className="pointer-events-none absolute left-2 top-1/2 -translate-y-1/2 text-xs text-muted">🔍</span>
      <input
        ref={input}
        id={`${id}-input`}
        data-testid="search-input"
        type="text"
        enterKeyHint="search"
        autoComplete="off"
        spellCheck={false}
        placeholder={t("search")}
        maxLength={1000}
        value={text}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
        aria-invalid={errors.length ? true : undefined}
        aria-describedby={errors.length ? errorId : undefined}
        onChange={(e) => edit(e.target.value, e.target.selectionStart ?? e.target.value.length)}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
        onFocus={() => {
          setFocused(true);
          setDismissed(false);
        }}
        onBlur={() => setFocused(false)}
        onKeyDown={onKeyDown}
        className="h-8 w-full rounded bg-elevated pl-7 pr-2 text-sm text-fg placeholder:text-muted focus:outline-none focus:ring-2 focus:ring-accent"
      />
      {/* The listbox stays in the DOM (empty when closed) so aria-controls always names an element. */}
      <ul
        id={listId}
        role="listbox"
        aria-label={t("filters")}
        data-testid="search-suggestions"
        hidden={!open}
        className="fixed inset-x-2 top-12 z-40 max-h-80 overflow-y-auto rounded-lg border border-line bg-main py-1 shadow-xl sm:absolute sm:inset-x-auto sm:right-0 sm:top-full sm:mt-1 sm:w-80"
      >
        {open
          ? suggestions.items.map((s, i) => (
              <li
                key={s.key}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => {
                  // Keep the focus (and the caret) in the box.
                  e.preventDefault();
                  accept(s);
                }}
                onMouseEnter={() => setChosen(i)}
                className={`flex cursor-pointer items-baseline gap-2 px-3 py-1 text-sm ${i === active ? "bg-hover" : ""}`}
              >
                <bdi className="font-medium">{s.label}</bdi>
                {s.detail ? <span className="truncate text-xs text-muted">{s.detail}</span> : null}
              </li>
            ))
          : null}
      </ul>
      {errors.length ? (
        <div
          id={errorId}
          role="alert"
          data-testid="search-error"
          className="fixed inset-x-2 top-12 z-40 rounded-lg border border-danger bg-main px-3 py-2 text-sm text-danger shadow-xl sm:absolute sm:inset-x-auto sm:right-0 sm:top-full sm:mt-1 sm:w-80"
        >
          {errors.map((e) => (
            <p key={e}>{e}</p>
          ))}
        </div>
      ) : null}
    </div>
  );
}
