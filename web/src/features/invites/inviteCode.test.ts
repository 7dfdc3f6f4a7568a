import { describe, expect, it } from "vitest";
import { inviteCodeFrom } from "./inviteCode";

describe("inviteCodeFrom", () => {
  it("takes a bare code", () => {
    expect(inviteCodeFrom("  aB3dE9xY ")).toBe("aB3dE9xY");
  });
  it("takes the code from a link, whatever the host, slash, query or fragment", () => {
    expect(inviteCodeFrom("https://chat.example.org/invite/aB3dE9xY")).toBe("aB3dE9xY");
    expect(inviteCodeFrom("http://127.0.0.1:5000/invite/aB3dE9xY/")).toBe("aB3dE9xY");
    expect(inviteCodeFrom("https://chat.example.org/invite/aB3dE9xY?ref=x#top")).toBe("aB3dE9xY");
    expect(inviteCodeFrom("chat.example.org/invite/aB3dE9xY")).toBe("aB3dE9xY");
  });
  it("refuses what holds no code", () => {
    expect(inviteCodeFrom("")).toBeNull();
    expect(inviteCodeFrom("   ")).toBeNull();
    expect(inviteCodeFrom("https://chat.example.org/app/com_1")).toBeNull();
    expect(inviteCodeFrom("hello there")).toBeNull();
    expect(inviteCodeFrom("https://x/invite/")).toBeNull();
    expect(inviteCodeFrom("https://x/invite/%E0%A4%A")).toBeNull();
    expect(inviteCodeFrom("https://x/invite/a%2Fb")).toBeNull();
  });
});
