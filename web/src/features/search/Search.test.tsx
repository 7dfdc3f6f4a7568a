import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Channel, Message, SearchResults } from "../../api/types";
import { ApiError } from "../../api/errors";
import { api, rest } from "../../app/runtime";
import { useChannels } from "../../stores/channels";
import { resetStores } from "../../stores/dispatch";
import { useMembers } from "../../stores/members";
import { usePins } from "../../stores/pins";
import { useSearch } from "../../stores/search";
import { useSession } from "../../stores/session";
import { useThreads } from "../../stores/threads";
import { SearchBox } from "./SearchBox";
import { SearchPanel } from "./SearchPanel";

const navigate = vi.fn();
vi.mock("@tanstack/react-router", async (original) => ({ ...(await original<typeof import("@tanstack/react-router")>()), useNavigate: () => navigate }));

const general: Channel = { id: "ch_general", community_id: "com_1", name: "general", type: 0, position: 0, created_at: "" };
const random: Channel = { id: "ch_random", community_id: "com_1", name: "random", type: 0, position: 1, created_at: "" };
const alice = { id: "usr_alice", username: "alice", display_name: "Alice" };

const msg = (id: string, channelId: string, content: string): Message => ({
  id,
  channel_id: channelId,
  community_id: "com_1",
  author: alice,
  content,
  created_at: "2026-11-02T10:00:00Z",
  mentions: [],
  reactions: [],
});

function Harness() {
  const view = useSearch((s) => s.view);
  return (
    <>
      <SearchBox channel={general} />
      {view ? <SearchPanel view={view} /> : null}
    </>
  );
}

const box = () => screen.getByRole("combobox", { name: "Search this community" });
const type = (text: string) => fireEvent.change(box(), { target: { value: text, selectionStart: text.length } });
const key = (k: string) => fireEvent.keyDown(box(), { key: k });

beforeEach(() => {
  resetStores();
  navigate.mockReset();
  useSession.getState().setUser({ id: "usr_me", username: "me", created_at: "" });
  useChannels.getState().replaceCommunity("com_1", [general, random]);
  useMembers.getState().setAll("com_1", [
    { community_id: "com_1", user: alice, joined_at: "" },
    { community_id: "com_1", user: { id: "usr_me", username: "me" }, joined_at: "" },
  ]);
  useThreads.getState().upsert({
    id: "ch_thread", community_id: "com_1", parent_id: "ch_random", parent_message_id: "1", owner_id: "usr_me", name: "plans", type: 5,
    archived: false, auto_archive_seconds: 86400, message_count: 1, member_count: 1, last_activity_at: "", created_at: "",
  });
  vi.spyOn(api, "getAccessToken").mockResolvedValue("tok");
});
afterEach(() => cleanup());

describe("search box", () => {
  it("suggests filters, then names, operable with the keyboard", () => {
    render(<Harness />);
    fireEvent.focus(box());
    const list = screen.getByRole("listbox", { name: "Search filters" });
    expect(within(list).getAllByRole("option").map((o) => o.textContent)).toContain("from:messages by a person");
    expect(box().getAttribute("aria-activedescendant")).toBeNull();

    type("from:al");
    expect(within(list).getAllByRole("option")).toHaveLength(1);
    // The first name is preselected while one is being typed: Enter takes it.
    expect(box().getAttribute("aria-activedescendant")).toBe(within(list).getByRole("option").id);
    key("Enter");
    expect(box()).toHaveProperty("value", "from:alice ");

    type("from:alice in:");
    expect(within(list).getAllByRole("option").map((o) => o.textContent)).toEqual(["#general", "#random", "plansthread in #random"]);
    key("ArrowDown");
    key("ArrowDown");
    expect(screen.getAllByRole("option")[1]!.getAttribute("aria-selected")).toBe("true");
    key("Enter");
    expect(box()).toHaveProperty("value", "from:alice in:random ");

    type("has:");
    key("Escape");
    expect(list.hidden).toBe(true);
  });

  it("shows an unknown name as an error and sends nothing", () => {
    const search = vi.spyOn(rest, "searchCommunity");
    render(<Harness />);
    type("cake from:zoe");
    key("Enter");
    expect(screen.getByRole("alert").textContent).toBe("Nobody called “zoe” in this community (from:).");
    expect(box().getAttribute("aria-invalid")).toBe("true");
    expect(search).not.toHaveBeenCalled();
  });

  it("searches, shows the count, hits under their channel with the match marked, and opens a hit at the message", async () => {
    const results: SearchResults = {
      total_results: 3,
      total_capped: false,
      hits: [
        { message: msg("30", "ch_random", "more cake 🎂 please"), channel: { id: "ch_random", name: "random", type: 0 }, context_before: [msg("29", "ch_random", "hungry")], context_after: [], highlights: [{ start: 5, length: 4 }] },
        { message: msg("20", "ch_general", "<b>cake</b>"), channel: { id: "ch_general", name: "general", type: 0 }, context_before: [], context_after: [], highlights: [{ start: 3, length: 4 }] },
        { message: msg("10", "ch_thread", "cake plans"), channel: { id: "ch_thread", name: "plans", type: 5, parent_id: "ch_random" }, context_before: [], context_after: [], highlights: [{ start: 0, length: 4 }] },
      ],
      next_cursor: "c2",
    };
    const search = vi.spyOn(rest, "searchCommunity").mockResolvedValueOnce(results);
    render(<Harness />);
    type("cake from:alice");
    await act(async () => key("Enter"));
    expect(search).toHaveBeenCalledWith("com_1", { q: "cake", author_id: ["usr_alice"], sort: "relevance" }, expect.any(AbortSignal));

    const panel = screen.getByRole("complementary", { name: "Search results" });
    expect(within(panel).getByRole("status").textContent).toBe("3 results");
    expect(within(panel).getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual(["#random", "#general", "🧵 plans in #random"]);
    const marks = panel.querySelectorAll("mark");
    expect([...marks].map((m) => m.textContent)).toEqual(["cake", "cake", "cake"]);
    // User text is text: the <b> in a message is shown, never made an element.
    expect(panel.querySelector("b")).toBeNull();
    expect(within(panel).getAllByTestId("search-hit-content")[1]!.textContent).toBe("<b>cake</b>");
    expect(within(panel).getAllByTestId("search-context")[0]!.textContent).toContain("hungry");

    // Opening a thread's hit: its channel, the thread panel, and the jump to the message.
    fireEvent.click(within(panel).getAllByTestId("search-hit-open")[2]!);
    expect(navigate).toHaveBeenCalledWith({ to: "/app/$communityId/$channelId", params: { communityId: "com_1", channelId: "ch_random" } });
    expect(useThreads.getState().openId).toBe("ch_thread");
    expect(usePins.getState().jumpTo).toEqual({ channelId: "ch_thread", messageId: "10" });

    // Load more asks with the cursor and appends.
    const more = vi.spyOn(rest, "searchCommunity").mockResolvedValueOnce({ total_results: 3, total_capped: false, hits: [], next_cursor: null });
    await act(async () => fireEvent.click(within(panel).getByRole("button", { name: "Load more" })));
    expect(more).toHaveBeenLastCalledWith("com_1", { q: "cake", author_id: ["usr_alice"], sort: "relevance", cursor: "c2" }, expect.any(AbortSignal));
    expect(within(panel).queryByRole("button", { name: "Load more" })).toBeNull();

    // Newest first searches again; Escape closes the panel.
    const newest = vi.spyOn(rest, "searchCommunity").mockResolvedValueOnce({ total_results: 0, total_capped: false, hits: [] });
    await act(async () => fireEvent.click(within(panel).getByRole("button", { name: "Newest" })));
    expect(newest).toHaveBeenLastCalledWith("com_1", { q: "cake", author_id: ["usr_alice"], sort: "newest" }, expect.any(AbortSignal));
    expect(within(panel).getByText("No messages match.")).toBeTruthy();
    expect(within(panel).getByRole("button", { name: "Newest" }).getAttribute("aria-pressed")).toBe("true");
    fireEvent.keyDown(within(panel).getByRole("button", { name: "Newest" }), { key: "Escape" });
    expect(screen.queryByRole("complementary")).toBeNull();
  });

  it("says when the server found the search too broad or too frequent", async () => {
    vi.spyOn(rest, "searchCommunity").mockRejectedValueOnce(new ApiError(429, { code: "rate_limited", title: "Too many requests" }, 30));
    render(<Harness />);
    type("cake");
    await act(async () => key("Enter"));
    expect(screen.getByTestId("search-failed").textContent).toBe("Too many searches in a short time. Try again in 30 seconds.");
    expect(screen.getByRole("status").textContent).toBe("");
  });
});
