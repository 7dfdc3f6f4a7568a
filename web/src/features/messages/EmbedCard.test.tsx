import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EmbedCard, proxiedThumbnail } from "./EmbedCard";

afterEach(cleanup);

const proxied = "http://localhost:3000/api/v1/media/proxy?url=https%3A%2F%2Fexample.com%2Fa.png&expires=1&signature=abc";

describe("EmbedCard", () => {
  it("shows site name, linked title, description, the proxied thumbnail and the page colour", () => {
    render(
      <EmbedCard
        embed={{ type: "link", url: "https://example.com/article", title: "Article Title", description: "A brief description", thumbnail_url: proxied, site_name: "Example", color: 0x3498db }}
      />,
    );
    expect(screen.getByTestId("embed-site").textContent).toBe("Example");
    const title = screen.getByTestId("embed-title");
    expect(title.textContent).toBe("Article Title");
    expect(title.getAttribute("href")).toBe("https://example.com/article");
    expect(title.getAttribute("rel")).toContain("noreferrer");
    expect(screen.getByTestId("embed-description").textContent).toBe("A brief description");
    expect(screen.getByTestId("embed-thumbnail").getAttribute("src")).toBe(proxied);
    expect(screen.getByTestId("embed-card").style.borderLeftColor).toBe("rgb(52, 152, 219)");
    expect(screen.queryByTestId("embed-remove")).toBeNull();
  });

  it("opens the title through the leaving-Voxora dialog", () => {
    render(<EmbedCard embed={{ type: "link", url: "https://example.com/x", title: "X" }} />);
    fireEvent.click(screen.getByTestId("embed-title"));
    expect(screen.getByTestId("leave-host").textContent).toBe("example.com");
  });

  it("never shows an image that is not the server's proxy, and falls back to the host for the site name", () => {
    render(<EmbedCard embed={{ type: "link", url: "https://example.com/x", title: "X", thumbnail_url: "https://tracker.example/pixel.png" }} />);
    expect(screen.queryByTestId("embed-thumbnail")).toBeNull();
    expect(screen.getByTestId("embed-site").textContent).toBe("example.com");
    expect(proxiedThumbnail("javascript:alert(1)")).toBeNull();
    expect(proxiedThumbnail(proxied)).toBe(proxied);
  });

  it("does not link a title whose url is not http(s)", () => {
    render(<EmbedCard embed={{ type: "link", url: "javascript:alert(1)", title: "Evil" }} />);
    expect(screen.getByTestId("embed-title").tagName).toBe("P");
  });

  it("offers removal when allowed", () => {
    const onRemove = vi.fn();
    render(<EmbedCard embed={{ type: "link", url: "https://example.com/x", title: "X" }} onRemove={onRemove} />);
    fireEvent.click(screen.getByTestId("embed-remove"));
    expect(onRemove).toHaveBeenCalledOnce();
  });
});
