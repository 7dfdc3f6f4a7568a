import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { displayName, useMembers } from "../../stores/members";
import { Isolated } from "../../ui/Isolated";
import { RichText } from "./RichText";

afterEach(() => {
  cleanup();
  useMembers.setState({ users: {} });
});

describe("RichText and names against Unicode spoofing", () => {
  it("shows a link as written when it is what it says, with its target as a tooltip", () => {
    render(<RichText content="see https://example.com/a" myId={undefined} />);
    const link = screen.getByRole("link");
    expect(link.getAttribute("href")).toBe("https://example.com/a");
    expect(link.getAttribute("title")).toBe("https://example.com/a");
    expect(screen.queryByTestId("link-target")).toBeNull();
  });

  it("shows the real target beside a link whose text hides a direction override", () => {
    render(<RichText content={"get https://example.com/\u202Efdp.exe now"} myId={undefined} />);
    const link = screen.getByRole("link");
    expect(link.textContent).not.toContain("\u202E");
    expect(screen.getByTestId("link-target").textContent).toContain(link.getAttribute("href")!);
    expect(link.getAttribute("href")).toContain("%E2%80%AE");
  });

  it("shows the real host beside a link that puts a user name before it", () => {
    render(<RichText content="login at https://bank.example@evil.example/login" myId={undefined} />);
    expect(screen.getByTestId("link-target").textContent).toBe(" (leads to evil.example)");
  });

  it("drops bidi controls from message text and isolates mentioned names", () => {
    useMembers.setState({ users: { usr_1: { id: "usr_1", username: "mallory", display_name: "\u202Enimda" } } });
    const { container } = render(<RichText content={"hi <@usr_1> \u2066and\u2069 bye"} myId={undefined} />);
    expect(container.textContent).toBe("hi @nimda and bye");
    const mention = screen.getByTestId("mention");
    expect(mention.querySelector("bdi")?.textContent).toBe("nimda");
  });

  it("isolates names and strips their bidi controls", () => {
    expect(displayName({ id: "usr_2", username: "bob", display_name: "\u2067evil\u2069" })).toBe("evil");
    const { container } = render(<Isolated text={"chan\u202Enel"} />);
    const bdi = container.querySelector("bdi");
    expect(bdi?.textContent).toBe("channel");
  });
});
