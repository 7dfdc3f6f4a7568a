import { useState } from "react";
import type { Embed } from "../../api/types";
import { safeHref } from "../../format/parse";
import { Isolated } from "../../ui/Isolated";
import { colorToHex } from "../../stores/roles";
import { LeaveDialog } from "./RichText";
import { useTranslation } from "react-i18next";

/** The server's image proxy: the only images a preview card shows (a remote address would leak the reader's). */
const PROXY_PATH = "/api/v1/media/proxy";

export function proxiedThumbnail(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url, typeof location === "undefined" ? "http://localhost" : location.href);
    return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.pathname === PROXY_PATH ? parsed.href : null;
  } catch {
    return null;
  }
}

function hostOf(href: string) {
  try {
    return new URL(href).host;
  } catch {
    return href;
  }
}

/**
 * A link preview under a message: site name, the linked title (opened through the "leaving Voxora" dialog), the
 * description and a thumbnail, with a left border in the page's colour. The author (or a moderator) may remove the
 * previews of the message (onRemove); they do not come back.
 */
export function EmbedCard({ embed, onRemove }: { embed: Embed; onRemove?: () => void }) {
  const { t } = useTranslation("messages");
  const [leaving, setLeaving] = useState<string | null>(null);
  const href = safeHref(embed.url);
  const thumbnail = proxiedThumbnail(embed.thumbnail_url);
  const border = embed.color != null ? colorToHex(embed.color) : undefined;
  return (
    <div
      data-testid="embed-card"
      className={`relative mt-1 flex max-w-lg gap-3 rounded border border-l-4 border-line bg-elevated p-3 ${onRemove ? "pr-8" : ""}`}
      style={border ? { borderLeftColor: border } : undefined}
    >
      <div className="min-w-0 flex-1">
        <p className="truncate text-xs text-muted" data-testid="embed-site">
          <Isolated text={embed.site_name ?? hostOf(embed.url)} />
        </p>
        {embed.title ? (
          href ? (
            <a
              href={href}
              rel="noopener noreferrer nofollow"
              target="_blank"
              data-testid="embed-title"
              className="block font-semibold text-sky-500 hover:underline"
              onClick={(e) => {
                e.preventDefault();
                setLeaving(href);
              }}
            >
              <Isolated text={embed.title} />
            </a>
          ) : (
            <p className="font-semibold" data-testid="embed-title"><Isolated text={embed.title} /></p>
          )
        ) : null}
        {embed.description ? (
          <p className="mt-1 line-clamp-3 text-sm text-fg/90" data-testid="embed-description">
            <Isolated text={embed.description} />
          </p>
        ) : null}
      </div>
      {thumbnail ? (
        <img
          src={thumbnail}
          alt=""
          loading="lazy"
          referrerPolicy="no-referrer"
          data-testid="embed-thumbnail"
          className="h-20 w-20 shrink-0 rounded object-cover"
        />
      ) : null}
      {onRemove ? (
        <button
          type="button"
          aria-label={t("removePreviews")}
          title={t("removePreviews")}
          data-testid="embed-remove"
          onClick={onRemove}
          className="absolute right-1 top-1 rounded px-1 text-muted hover:bg-hover hover:text-fg"
        >
          ×
        </button>
      ) : null}
      {leaving ? <LeaveDialog href={leaving} onClose={() => setLeaving(null)} /> : null}
    </div>
  );
}
