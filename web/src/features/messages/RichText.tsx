// Renders message content from the parser's token tree (src/format/parse.ts) as React elements. Text is
// always a text node: nothing a message says can become markup, and there is no dangerouslySetInnerHTML.
import { Link } from "@tanstack/react-router";
import { Fragment, useEffect, useMemo, useState, type ReactNode } from "react";
import { rest } from "../../app/runtime";
import { useEmojiData } from "../../emoji/data";
import { parse, type Block, type Inline, type LineBlock } from "../../format/parse";
import type { HighlightNode } from "../../format/highlight";
import { useChannels } from "../../stores/channels";
import { displayName, useMembers } from "../../stores/members";
import { useRoles } from "../../stores/roles";
import { Button } from "../../ui/Button";
import { Dialog } from "../../ui/Dialog";
import { linkLabel, stripBidiControls } from "../../ui/safeText";
import { Trans, useTranslation } from "react-i18next";

interface Ctx {
  myId: string | undefined;
  communityId: string | undefined;
  /** One line (reply previews): blocks flow inline, code blocks read as inline code. */
  inline: boolean;
  /** Inside a link's label: nested links read as text. */
  inLink: boolean;
  leave: (href: string) => void;
}

export function RichText({ content, myId, communityId, inline = false }: { content: string; myId: string | undefined; communityId?: string; inline?: boolean }) {
  const doc = useMemo(() => parse(content), [content]);
  const [leaving, setLeaving] = useState<string | null>(null);
  const ctx: Ctx = { myId, communityId, inline, inLink: false, leave: setLeaving };
  return (
    <>
      {doc.map((b, i) => (
        <BlockView key={i} block={b} ctx={ctx} />
      ))}
      {leaving ? <LeaveDialog href={leaving} onClose={() => setLeaving(null)} /> : null}
    </>
  );
}

function BlockView({ block, ctx }: { block: Block; ctx: Ctx }) {
  if (block.type === "quote") {
    if (ctx.inline) return <span className="text-muted">{block.lines.map((l, i) => <Fragment key={i}>{i ? " " : ""}<LineView line={l} ctx={ctx} /></Fragment>)} </span>;
    return (
      <blockquote data-testid="format-quote" className="my-0.5 border-l-4 border-line pl-3">
        {block.lines.map((l, i) => (
          <LineView key={i} line={l} ctx={ctx} />
        ))}
      </blockquote>
    );
  }
  return <LineView line={block} ctx={ctx} />;
}

function LineView({ line, ctx }: { line: LineBlock; ctx: Ctx }) {
  if (ctx.inline) {
    if (line.type === "list") return <>{line.items.map((it, i) => <Fragment key={i}>{i ? " " : ""}<Inlines nodes={it.children} ctx={ctx} /></Fragment>)} </>;
    return <><Inlines nodes={line.children} ctx={ctx} /> </>;
  }
  switch (line.type) {
    case "paragraph":
      return <div>{line.children.length ? <Inlines nodes={line.children} ctx={ctx} /> : "\u00a0"}</div>;
    case "heading": {
      const cls = line.level === 1 ? "text-2xl" : line.level === 2 ? "text-xl" : "text-lg";
      const H = (`h${line.level}` as "h1" | "h2" | "h3");
      return <H data-testid="format-heading" className={`${cls} my-1 font-bold`}><Inlines nodes={line.children} ctx={ctx} /></H>;
    }
    case "list": {
      const start = line.ordered ? parseInt(line.items[0]!.marker, 10) : undefined;
      const items = line.items.map((it, i) => (
        <li key={i}>
          <Inlines nodes={it.children} ctx={ctx} />
        </li>
      ));
      return line.ordered ? (
        <ol data-testid="format-list" start={Number.isFinite(start) ? start : undefined} className="my-0.5 list-decimal pl-6">{items}</ol>
      ) : (
        <ul data-testid="format-list" className="my-0.5 list-disc pl-6">{items}</ul>
      );
    }
  }
}

function Inlines({ nodes, ctx }: { nodes: Inline[]; ctx: Ctx }) {
  return (
    <>
      {nodes.map((n, i) => (
        <InlineView key={i} node={n} ctx={ctx} />
      ))}
    </>
  );
}

function InlineView({ node, ctx }: { node: Inline; ctx: Ctx }): ReactNode {
  switch (node.type) {
    case "text":
      return stripBidiControls(node.text);
    case "escape":
      return node.char;
    case "bold":
      return <strong><Inlines nodes={node.children} ctx={ctx} /></strong>;
    case "italic":
      return <em><Inlines nodes={node.children} ctx={ctx} /></em>;
    case "underline":
      return <u><Inlines nodes={node.children} ctx={ctx} /></u>;
    case "strike":
      return <s><Inlines nodes={node.children} ctx={ctx} /></s>;
    case "spoiler":
      return <Spoiler><Inlines nodes={node.children} ctx={ctx} /></Spoiler>;
    case "code":
      return <code className="rounded bg-elevated px-1 font-mono text-[0.9em]">{stripBidiControls(node.text)}</code>;
    case "codeblock":
      if (ctx.inline) return <code className="rounded bg-elevated px-1 font-mono text-[0.9em]">{stripBidiControls(node.text)}</code>;
      return <CodeBlock lang={node.lang} text={node.text} />;
    case "link":
      if (ctx.inLink) return <Inlines nodes={node.children} ctx={ctx} />;
      return <MaskedLink href={node.href} ctx={ctx}><Inlines nodes={node.children} ctx={{ ...ctx, inLink: true }} /></MaskedLink>;
    case "autolink":
      if (ctx.inLink) return stripBidiControls(node.text);
      return <AutoLink href={node.href} text={node.text} />;
    case "user":
      return <UserMention id={node.id} myId={ctx.myId} />;
    case "role":
      return <RoleMention id={node.id} communityId={ctx.communityId} />;
    case "channel":
      return <ChannelMention id={node.id} />;
    case "everyone":
    case "here":
      return <span data-testid="mention-everyone" className="rounded bg-mention px-0.5 font-medium text-mention-fg">@{node.type}</span>;
    case "emoji":
      return <Shortcode name={node.name} />;
  }
}

function Spoiler({ children }: { children: ReactNode }) {
  const { t } = useTranslation("messages");
  const [shown, setShown] = useState(false);
  if (shown) return <span data-testid="spoiler" data-shown="true" className="rounded bg-elevated px-0.5">{children}</span>;
  return (
    <span
      role="button"
      tabIndex={0}
      aria-label={t("spoiler")}
      data-testid="spoiler"
      data-shown="false"
      onClick={() => setShown(true)}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          setShown(true);
        }
      }}
      className="cursor-pointer rounded bg-fg px-0.5 text-transparent select-none"
    >
      <span aria-hidden="true">{children}</span>
    </span>
  );
}

function displayCode(text: string): string {
  return text.replace(/^\n/, "").replace(/\n$/, "");
}

function CodeBlock({ lang, text }: { lang: string | null; text: string }) {
  const code = displayCode(stripBidiControls(text));
  const [nodes, setNodes] = useState<HighlightNode[] | null>(null);
  useEffect(() => {
    if (!lang) return;
    let live = true;
    import("../../format/highlight").then(
      (m) => live && setNodes(m.highlight(code, lang)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [code, lang]);
  return (
    <pre data-testid="format-codeblock" data-lang={lang ?? ""} className="my-1 overflow-x-auto rounded border border-line bg-elevated p-2 font-mono text-sm whitespace-pre">
      <code className="hljs" data-highlighted={nodes ? "true" : "false"}>{nodes ? <Highlighted nodes={nodes} /> : code}</code>
    </pre>
  );
}

function Highlighted({ nodes }: { nodes: HighlightNode[] }): ReactNode {
  return nodes.map((n, i) =>
    n.type === "text" ? (
      <Fragment key={i}>{n.value}</Fragment>
    ) : (
      <span key={i} className={n.classes.join(" ")}>
        <Highlighted nodes={n.children} />
      </span>
    ),
  );
}

function hostOf(href: string): string {
  try {
    return new URL(href).host;
  } catch {
    return href;
  }
}

/** A `[label](target)` link: its label may say anything, so the real address is its tooltip and a click asks first. */
function MaskedLink({ href, ctx, children }: { href: string; ctx: Ctx; children: ReactNode }) {
  return (
    <a
      href={href}
      title={href}
      data-testid="masked-link"
      target="_blank"
      rel="noopener noreferrer nofollow"
      onClick={(e) => {
        e.preventDefault();
        ctx.leave(href);
      }}
      className="text-sky-500 underline hover:text-sky-400"
    >
      {children}
    </a>
  );
}

export function LeaveDialog({ href, onClose }: { href: string; onClose: () => void }) {
  const { t } = useTranslation("messages");
  return (
    <Dialog title={t("leavingTitle")} onClose={onClose} testId="leave-dialog">
      <p>
        <Trans t={t} i18nKey="leavingBody" values={{ host: hostOf(href) }} components={{ strong: <strong data-testid="leave-host" />, bdi: <bdi /> }} />
      </p>
      <p className="break-all text-sm text-muted" data-testid="leave-href"><bdi>{href}</bdi></p>
      <div className="flex justify-end gap-2">
        <Button variant="ghost" onClick={onClose}>{t("cancel")}</Button>
        <Button
          onClick={() => {
            window.open(href, "_blank", "noopener,noreferrer");
            onClose();
          }}
        >
          {t("openLink")}
        </Button>
      </div>
    </Dialog>
  );
}

/** A link to a channel or message of this Voxora (same origin, /app/{community}/{channel}[/{message}]): opened in place. */
function inAppTarget(href: string): { communityId: string; channelId: string; messageId?: string } | null {
  if (typeof location === "undefined") return null;
  try {
    const url = new URL(href);
    if (url.origin !== location.origin) return null;
    const m = /^\/app\/([A-Za-z0-9_]+)\/([A-Za-z0-9_]+)(?:\/([0-9]+))?\/?$/.exec(url.pathname);
    if (!m) return null;
    return { communityId: m[1]!, channelId: m[2]!, ...(m[3] ? { messageId: m[3] } : {}) };
  } catch {
    return null;
  }
}

function AutoLink({ href, text }: { href: string; text: string }) {
  const inApp = inAppTarget(href);
  if (inApp) {
    const cls = "break-all text-sky-500 underline hover:text-sky-400";
    return inApp.messageId ? (
      <Link to="/app/$communityId/$channelId/$messageId" params={{ communityId: inApp.communityId, channelId: inApp.channelId, messageId: inApp.messageId }} data-testid="message-link" className={cls}>
        <bdi>{stripBidiControls(text)}</bdi>
      </Link>
    ) : (
      <Link to="/app/$communityId/$channelId" params={{ communityId: inApp.communityId, channelId: inApp.channelId }} className={cls}>
        <bdi>{stripBidiControls(text)}</bdi>
      </Link>
    );
  }
  // When the text could pass for another address, the real one is shown beside it, not only on hover.
  const label = linkLabel(text, href);
  return (
    <a href={href} title={href} target="_blank" rel="noopener noreferrer nofollow" className="break-all text-sky-500 underline hover:text-sky-400">
      <bdi>{label.text}</bdi>
      {label.target ? (
        <span data-testid="link-target" className="text-muted">
          {" "}(leads to <bdi>{label.target}</bdi>)
        </span>
      ) : null}
    </a>
  );
}

function UserMention({ id, myId }: { id: string; myId: string | undefined }) {
  const { t } = useTranslation("messages");
  const user = useMembers((s) => s.users[id]);
  const mine = id === myId;
  return (
    <span
      data-testid="mention"
      data-user-id={id}
      data-me={mine ? "true" : "false"}
      className={`rounded px-0.5 font-medium ${mine ? "bg-amber-400/40 text-fg ring-1 ring-amber-400" : "bg-mention text-mention-fg"}`}
    >
      @<bdi>{user ? displayName(user) : t("unknownUser")}</bdi>
    </span>
  );
}

function RoleMention({ id, communityId }: { id: string; communityId: string | undefined }) {
  const { t } = useTranslation("messages");
  const role = useRoles((s) => (communityId ? s.byCommunity[communityId]?.[id] : undefined));
  const ensure = useRoles((s) => s.ensure);
  useEffect(() => {
    if (communityId) ensure(communityId, (c) => rest.roles(c));
  }, [communityId, ensure]);
  return (
    <span data-testid="role-mention" data-role-id={id} className="rounded bg-mention px-0.5 font-medium text-mention-fg">
      @<bdi>{role ? role.name : t("unknownRole")}</bdi>
    </span>
  );
}

function ChannelMention({ id }: { id: string }) {
  const { t } = useTranslation("messages");
  const channel = useChannels((s) => s.byId[id]);
  if (!channel) {
    return <span data-testid="channel-mention" className="rounded bg-mention px-0.5 font-medium text-mention-fg">#{t("unknownChannel")}</span>;
  }
  return (
    <Link
      to="/app/$communityId/$channelId"
      params={{ communityId: channel.community_id, channelId: channel.id }}
      data-testid="channel-mention"
      className="rounded bg-mention px-0.5 font-medium text-mention-fg hover:underline"
    >
      #<bdi>{channel.name}</bdi>
    </Link>
  );
}

function Shortcode({ name }: { name: string }) {
  const entry = useEmojiData((s) => s.data?.byShortcode.get(name));
  const ready = useEmojiData((s) => s.data !== null);
  const load = useEmojiData((s) => s.load);
  useEffect(() => {
    if (!ready) load();
  }, [ready, load]);
  if (!entry) return `:${name}:`;
  return (
    <span data-testid="emoji" role="img" aria-label={entry.label} title={`:${name}:`}>
      {entry.emoji}
    </span>
  );
}
