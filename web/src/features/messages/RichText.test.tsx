import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
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

describe("RichText renders the token tree as elements", () => {
  it("renders every construct", async () => {
    useMembers.setState({ users: { usr_1: { id: "usr_1", username: "alice", display_name: null } } });
    const content = [
      "# Heading",
      "**bold** *italic* __under__ ~~struck~~ ||secret|| `code`",
      "> quoted",
      "- item one",
      "1. first",
      "[docs](https://example.com/docs) https://example.org <@usr_1> <@&rol_1> <#ch_1> @everyone",
      "```js\nconst x = 1;\n```",
    ].join("\n");
    const { container } = render(<RichText content={content} myId={undefined} />);
    expect(container.querySelector("h1")?.textContent).toBe("Heading");
    expect(container.querySelector("strong")?.textContent).toBe("bold");
    expect(container.querySelector("em")?.textContent).toBe("italic");
    expect(container.querySelector("u")?.textContent).toBe("under");
    expect(container.querySelector("s")?.textContent).toBe("struck");
    expect(screen.getByTestId("spoiler").getAttribute("data-shown")).toBe("false");
    expect(container.querySelector("code")?.textContent).toBe("code");
    expect(container.querySelector("blockquote")?.textContent).toBe("quoted");
    expect(container.querySelector("ul li")?.textContent).toBe("item one");
    expect(container.querySelector("ol li")?.textContent).toBe("first");
    const masked = screen.getByTestId("masked-link");
    expect(masked.textContent).toBe("docs");
    expect(masked.getAttribute("title")).toBe("https://example.com/docs");
    expect(screen.getByTestId("mention").textContent).toBe("@alice");
    expect(screen.getByTestId("role-mention").textContent).toBe("@unknown role");
    expect(screen.getByTestId("mention-everyone").textContent).toBe("@everyone");
    expect(screen.getByTestId("format-codeblock").getAttribute("data-lang")).toBe("js");
    // The highlighter arrives as its own chunk and replaces the plain text by class-named spans.
    await waitFor(() => expect(screen.getByTestId("format-codeblock").querySelector("code")?.getAttribute("data-highlighted")).toBe("true"), { timeout: 15_000 });
    expect(screen.getByTestId("format-codeblock").querySelector(".hljs-keyword")?.textContent).toBe("const");
    expect(screen.getByTestId("format-codeblock").textContent).toBe("const x = 1;");
  });

  it("shows HTML in a message literally, creating no element", () => {
    const { container } = render(<RichText content={"<img src=x onerror=alert(1)> <b>x</b>"} myId={undefined} />);
    expect(container.textContent).toBe("<img src=x onerror=alert(1)> <b>x</b>");
    expect(container.querySelector("img, b")).toBeNull();
  });

  it("asks before leaving for a masked link's real host", () => {
    render(<RichText content={"[https://bank.example](https://evil.example/x)"} myId={undefined} />);
    fireEvent.click(screen.getByTestId("masked-link"));
    expect(screen.getByTestId("leave-host").textContent).toBe("evil.example");
  });
});
