// The emoji picker used by the composer and by reactions: search, categories, frequently used, skin
// tones. Keyboard: type to search, Down/Enter from the search box, arrows move through the grid,
// Enter or Space picks, Escape closes.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { searchEmoji, useEmojiData, withSkin, type EmojiEntry } from "./data";
import { DEFAULT_RECENT, useRecentEmoji } from "./recent";
import { useTranslation } from "react-i18next";

const COLUMNS = 8;
const TONES = ["✋", "✋🏻", "✋🏼", "✋🏽", "✋🏾", "✋🏿"];
const TONE_NAMES = ["default", "light", "medium-light", "medium", "medium-dark", "dark"];

export function EmojiPicker({ actionLabel, onPick, onClose }: { actionLabel: string; onPick: (emoji: string) => void; onClose: () => void }) {
  const { t } = useTranslation("emoji");
  const data = useEmojiData((s) => s.data);
  const failed = useEmojiData((s) => s.failed);
  const load = useEmojiData((s) => s.load);
  const { recent, tone, use, setTone } = useRecentEmoji();
  const [query, setQuery] = useState("");
  const gridRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    load();
    searchRef.current?.focus();
  }, [load]);

  const results = useMemo(() => (data && query.trim() ? searchEmoji(data, query, 64) : null), [data, query]);
  const frequent = recent.length ? recent : DEFAULT_RECENT;

  function pick(emoji: string) {
    use(emoji);
    onPick(emoji);
  }

  function focusCell(index: number) {
    const cells = gridRef.current?.querySelectorAll<HTMLButtonElement>("[data-cell]");
    if (!cells || !cells.length) return;
    cells[Math.max(0, Math.min(cells.length - 1, index))]?.focus();
  }

  function onGridKey(e: KeyboardEvent<HTMLDivElement>) {
    const target = e.target as HTMLElement;
    const index = Number(target.dataset.cell ?? -1);
    if (index < 0) return;
    const moves: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS };
    if (e.key in moves) {
      e.preventDefault();
      if (e.key === "ArrowUp" && index < COLUMNS) searchRef.current?.focus();
      else focusCell(index + moves[e.key]!);
    } else if (e.key === "Home") {
      e.preventDefault();
      focusCell(0);
    } else if (e.key === "End") {
      e.preventDefault();
      focusCell(Number.MAX_SAFE_INTEGER);
    }
  }

  function onSearchKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      focusCell(0);
    } else if (e.key === "Enter") {
      e.preventDefault();
      const first = results?.[0];
      if (first) pick(withSkin(first, tone));
    }
  }

  let cell = 0;
  const entryButton = (e: EmojiEntry) => {
    const emoji = withSkin(e, tone);
    const index = cell++;
    return (
      <button
        key={e.emoji}
        type="button"
        data-cell={index}
        tabIndex={index === 0 ? 0 : -1}
        aria-label={`${actionLabel} ${e.label}`}
        title={e.shortcodes[0] ? `:${e.shortcodes[0]}:` : e.label}
        onClick={() => pick(emoji)}
        className="flex h-9 w-9 items-center justify-center rounded text-2xl hover:bg-hover focus:bg-hover focus:outline-2 focus:outline-accent"
      >
        {emoji}
      </button>
    );
  };

  return (
    <div
      role="dialog"
      aria-label={t("picker")}
      data-testid="emoji-picker"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          onClose();
        }
      }}
      className="flex w-[min(22rem,calc(100vw-1rem))] flex-col gap-2 rounded-lg border border-line bg-main p-2 text-fg shadow-xl"
    >
      <div className="flex items-center gap-2">
        <input
          ref={searchRef}
          type="search"
          aria-label={t("search")}
          placeholder={t("search")}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onSearchKey}
          className="min-w-0 flex-1 rounded bg-elevated px-2 py-1 text-sm"
        />
        <label className="sr-only" htmlFor="emoji-tone">{t("skinTone")}</label>
        <select
          id="emoji-tone"
          aria-label={t("skinTone")}
          value={tone}
          onChange={(e) => setTone(Number(e.target.value))}
          className="rounded bg-elevated px-1 py-1 text-lg"
        >
          {TONES.map((t, i) => (
            <option key={i} value={i} aria-label={TONE_NAMES[i]}>{t}</option>
          ))}
        </select>
      </div>
      {data && !results ? (
        <nav aria-label={t("categories")} className="flex justify-between border-b border-line pb-1">
          {data.groups.map((g) => (
            <button
              key={g.id}
              type="button"
              aria-label={g.label}
              title={g.label}
              onClick={() => gridRef.current?.querySelector(`#emoji-group-${g.id}`)?.scrollIntoView({ block: "start" })}
              className="rounded px-1 text-lg hover:bg-hover"
            >
              {g.first}
            </button>
          ))}
        </nav>
      ) : null}
      <div ref={gridRef} onKeyDown={onGridKey} className="h-72 overflow-y-auto" data-testid="emoji-grid">
        {results ? (
          results.length ? (
            <section aria-label={t("results")}>
              <div className="grid grid-cols-8 gap-0.5">{results.map(entryButton)}</div>
            </section>
          ) : (
            <p className="p-2 text-sm text-muted">{t("noMatch", { query })}</p>
          )
        ) : (
          <>
            <section aria-labelledby="emoji-frequent">
              <h3 id="emoji-frequent" className="px-1 py-1 text-xs font-semibold uppercase text-muted">{t("frequent")}</h3>
              <div className="grid grid-cols-8 gap-0.5">
                {frequent.map((emoji) => {
                  const index = cell++;
                  return (
                    <button
                      key={emoji}
                      type="button"
                      data-cell={index}
                      tabIndex={index === 0 ? 0 : -1}
                      aria-label={`${actionLabel} ${emoji}`}
                      onClick={() => pick(emoji)}
                      className="flex h-9 w-9 items-center justify-center rounded text-2xl hover:bg-hover focus:bg-hover focus:outline-2 focus:outline-accent"
                    >
                      {emoji}
                    </button>
                  );
                })}
              </div>
            </section>
            {data
              ? data.groups.map((g) => (
                  <section key={g.id} id={`emoji-group-${g.id}`} aria-labelledby={`emoji-group-title-${g.id}`}>
                    <h3 id={`emoji-group-title-${g.id}`} className="px-1 py-1 text-xs font-semibold uppercase text-muted">{g.label}</h3>
                    <div className="grid grid-cols-8 gap-0.5">{data.list.filter((e) => e.group === g.id).map(entryButton)}</div>
                  </section>
                ))
              : <p className="p-2 text-sm text-muted">{failed ? t("failed") : t("loadingEmoji")}</p>}
          </>
        )}
      </div>
    </div>
  );
}
