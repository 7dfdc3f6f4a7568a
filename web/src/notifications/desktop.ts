import type { Message, NotificationSettings } from "../api/types";
import { shouldNotify } from "./rules";

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
}

export interface DesktopNotice {
  title: string;
  body: string;
  tag: string;
}

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
  const where = ctx.channelName ? `#${ctx.channelName}` : (ctx.communityName ?? "");
  const body = message.content.length > 140 ? `${message.content.slice(0, 139)}…` : message.content;
  return { title: `${author} in ${where}`, body, tag: message.channel_id };
}

/** Shows the notice; clicking focuses this tab and opens the channel. */
export function showDesktopNotice(notice: DesktopNotice, open: () => void): void {
  const n = new Notification(notice.title, { body: notice.body, tag: notice.tag });
  n.onclick = () => {
    window.focus();
    open();
    n.close();
  };
}
