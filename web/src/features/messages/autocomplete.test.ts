import { describe, expect, it } from "vitest";
import compact from "emojibase-data/en/compact.json";
import github from "emojibase-data/en/shortcodes/github.json";
import messages from "emojibase-data/en/messages.json";
import { buildEmojiData } from "../../emoji/data";
import type { Channel, Member, Role } from "../../api/types";
import { applySuggestion, findTrigger, suggest } from "./autocomplete";

const member = (id: string, username: string, display_name: string | null = null): Member => ({ community_id: "com_1", user: { id, username, display_name }, joined_at: "" });
const role = (id: string, name: string, is_everyone = false): Role => ({ id, community_id: "com_1", name, permissions: "0", position: 1, is_everyone, created_at: "" });
const channel = (id: string, name: string, type = 0, position = 0): Channel => ({ id, community_id: "com_1", name, type, position, created_at: "" });

describe("findTrigger", () => {
  it("finds @, # and : before the caret at a word start", () => {
    expect(findTrigger("hi @al", 6)).toEqual({ kind: "@", query: "al", start: 3, end: 6 });
    expect(findTrigger("#gen", 4)).toEqual({ kind: "#", query: "gen", start: 0, end: 4 });
    expect(findTrigger("nice :thu", 9)).toEqual({ kind: ":", query: "thu", start: 5, end: 9 });
    expect(findTrigger("@", 1)).toEqual({ kind: "@", query: "", start: 0, end: 1 });
  });

  it("ignores e-mail addresses, times, a single letter after a colon and finished words", () => {
    expect(findTrigger("mail a@b", 8)).toBeNull();
    expect(findTrigger("at 10:30", 8)).toBeNull();
    expect(findTrigger("look :a", 7)).toBeNull();
    expect(findTrigger("@alice done", 11)).toBeNull();
  });
});

describe("suggest", () => {
  const emoji = buildEmojiData(compact as never, github as never, messages.groups);
  const sources = {
    members: [member("usr_B", "bob"), member("usr_A", "alice", "Alice A"), member("usr_C", "carol")],
    roles: [role("rol_E", "@everyone", true), role("rol_M", "mods"), role("rol_A", "admins")],
    channels: [channel("ch_1", "general"), channel("ch_2", "games", 0, 1), channel("ch_3", "General stuff", 4)],
    emoji,
    tone: 0,
  };

  it("offers members and roles for @, never the @everyone role but @everyone itself", () => {
    const s = suggest({ kind: "@", query: "a", start: 0, end: 2 }, sources);
    expect(s.map((x) => x.insert)).toEqual(["<@usr_A> ", "<@&rol_A> "]);
    expect(suggest({ kind: "@", query: "ev", start: 0, end: 3 }, sources).map((x) => x.insert)).toEqual(["@everyone "]);
  });

  it("offers channels but not categories for #", () => {
    expect(suggest({ kind: "#", query: "g", start: 0, end: 2 }, sources).map((x) => x.insert)).toEqual(["<#ch_1> ", "<#ch_2> "]);
  });

  it("offers emoji by shortcode for :, in the chosen skin tone", () => {
    const s = suggest({ kind: ":", query: "thumbsup", start: 0, end: 9 }, { ...sources, tone: 2 });
    expect(s[0]?.insert).toBe("👍🏼");
    expect(s[0]?.label).toBe(":+1:");
  });

  it("replaces the trigger with the inserted text and puts the caret after it", () => {
    expect(applySuggestion("hi @al!", { kind: "@", query: "al", start: 3, end: 6 }, "<@usr_A> ")).toEqual({ text: "hi <@usr_A> !", caret: 12 });
  });
});
