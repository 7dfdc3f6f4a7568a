import type { Message, NotificationSettings } from "../api/types";
import { shouldNotify } from "./rules";
import i18n from "../i18n";

export interface DesktopContext {
  hidden: boolean;
  permission: NotificationPermission | "unsupported";
  dnd: boolean;
  myId: string | null;
  myRoles: readonly string[];
  settings: NotificationSettings;
  channelName: string | undefined;
  communityName: string | undefined;
  now: number;
  /** The name to show for a mentioned user (undefined: not known to this tab). */
  nameOf?: (userId: string) => string | undefined;
  /** The name of a mentioned role of the message's community (undefined: not known; the web client holds no role names yet). */
  roleNameOf?: (roleId: string) => string | undefined;
}

export interface DesktopNotice {
  title: string;
  body: string;
  tag: string;
}

/**
 * The message text as a person reads it: mentions travel as <@usr_…> and <@&rol_…>, which mean nothing outside the
 * app, so they become @name (the chat view shows them as chips).
 */
export function readableContent(content: string, ctx: Pick<DesktopContext, "nameOf" | "roleNameOf">): string {
  return content.replace(/<@(&?)((?:usr|rol)_[0-9A-Za-z]+)>/g, (_match, role: string, id: string) => {
    const name = role ? ctx.roleNameOf?.(id) : ctx.nameOf?.(id);
    return name ? `@${name}` : role ? "@role" : "@someone";
  });
}

const MAX_BODY = 140;

/**
 * What to show for a new message while the tab is hidden, or null: the same settings and mentions rule as the server's
 * pushes, silenced by do-not-disturb. The tab is signed in, so the text is shown (the person can read the channel).
 */
export function desktopNotice(message: Message, ctx: DesktopContext): DesktopNotice | null {
  if (!ctx.hidden || ctx.permission !== "granted" || ctx.dnd || !ctx.myId) return null;
  // System lines ("alice pinned a message") notify nobody, as the server's pushes do not.
  if ((message.type ?? 0) !== 0) return null;
  if (!shouldNotify(message, ctx.myId, ctx.myRoles, ctx.settings, ctx.now)) return null;
  const author = message.author.display_name || message.author.username;
  const where = ctx.channelName ? `#${ctx.channelName}` : ctx.communityName;
  const text = readableContent(message.content, ctx);
  const body = text.length > MAX_BODY ? `${text.slice(0, MAX_BODY - 1)}…` : text;
  return { title: where ? i18n.t("notifications:authorIn", { author, where }) : author, body, tag: message.channel_id };
}

/**
 * Shows the notice; clicking focuses this tab and opens the channel. Never throws: this runs inside the gateway's
 * dispatch handling, and some browsers (Chrome on Android) refuse `new Notification` outright.
 */
export function showDesktopNotice(notice: DesktopNotice, open: () => void): boolean {
  let n: Notification;
  try {
    n = new Notification(notice.title, { body: notice.body, tag: notice.tag });
  } catch {
    return false;
  }
  n.onclick = () => {
    window.focus();
    open();
    n.close();
  };
  return true;
}
