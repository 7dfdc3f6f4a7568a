import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Attachment } from "../../api/types";
import { MessageAttachments } from "./MessageAttachments";

const img = (id: string, w = 800, h = 600): Attachment => ({
  id, filename: `${id}.png`, content_type: "image/png", size_bytes: 2_516_582, url: `/api/v1/media/${id}/${id}.png?sig=x`, thumbnail_url: `/api/v1/media/${id}/thumb.webp?sig=x`, width: w, height: h,
});

afterEach(cleanup);

describe("message attachments", () => {
  it("shows one image from its thumbnail, with the filename as alt text and its space reserved", () => {
    render(<MessageAttachments attachments={[img("a")]} />);
    const image = screen.getByAltText("a.png") as HTMLImageElement;
    expect(image.getAttribute("src")).toBe("/api/v1/media/a/thumb.webp?sig=x");
    expect(image.getAttribute("width")).toBe("400");
    expect(image.getAttribute("height")).toBe("300");
    expect(screen.queryByTestId("image-grid")).toBeNull();
  });

  it("puts several images in a grid, and video, audio and other files in players and cards", () => {
    render(
      <MessageAttachments
        attachments={[
          img("a"), img("b"), img("c"),
          { id: "v", filename: "clip.mp4", content_type: "video/mp4", size_bytes: 1000, url: "/m/v" },
          { id: "s", filename: "song.ogg", content_type: "audio/ogg", size_bytes: 1000, url: "/m/s" },
          { id: "d", filename: "report.pdf", content_type: "application/pdf", size_bytes: 2_516_582, url: "/m/d" },
        ]}
      />,
    );
    expect(screen.getByTestId("image-grid").getAttribute("data-count")).toBe("3");
    expect(screen.getByTestId("attachment-video").querySelector("video")?.getAttribute("src")).toBe("/m/v");
    expect(screen.getByTestId("attachment-audio").querySelector("audio")?.hasAttribute("controls")).toBe(true);
    const card = screen.getByTestId("attachment-file");
    expect(within(card).getByTestId("attachment-file-meta").textContent).toBe("2.4 MB · PDF");
    const download = within(card).getByRole("link", { name: "Download report.pdf" });
    expect(download.getAttribute("href")).toBe("/m/d");
    expect(download.getAttribute("download")).toBe("report.pdf");
  });
});

describe("lightbox", () => {
  it("opens on click, moves with the arrow keys between the message's images, and closes on Escape", () => {
    render(<MessageAttachments attachments={[img("a"), img("b"), img("c")]} />);
    const opener = screen.getByRole("button", { name: "Open image b.png (2 of 3)" });
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByRole("dialog", { name: "Image 2 of 3: b.png" });
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect((within(dialog).getByTestId("lightbox-image") as HTMLImageElement).getAttribute("src")).toBe("/api/v1/media/b/b.png?sig=x");
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Close image viewer" }));
    expect(within(dialog).getByText("Open original").getAttribute("href")).toBe("/api/v1/media/b/b.png?sig=x");

    fireEvent.keyDown(dialog, { key: "ArrowRight" });
    expect(screen.getByRole("dialog").getAttribute("aria-label")).toBe("Image 3 of 3: c.png");
    fireEvent.keyDown(dialog, { key: "ArrowRight" });
    expect(screen.getByRole("dialog").getAttribute("aria-label")).toBe("Image 1 of 3: a.png");
    fireEvent.keyDown(dialog, { key: "ArrowLeft" });
    expect(screen.getByRole("dialog").getAttribute("aria-label")).toBe("Image 3 of 3: c.png");

    fireEvent.keyDown(screen.getByRole("dialog"), { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it("closes with the close button and with a click outside the image, not on the image", () => {
    render(<MessageAttachments attachments={[img("a")]} />);
    fireEvent.click(screen.getByRole("button", { name: "Open image a.png" }));
    fireEvent.click(screen.getByTestId("lightbox-image"));
    expect(screen.getByRole("dialog", { name: "Image: a.png" })).toBeTruthy();
    // One image: the arrows do nothing.
    fireEvent.keyDown(screen.getByRole("dialog"), { key: "ArrowRight" });
    expect(screen.getByRole("dialog", { name: "Image: a.png" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Close image viewer" }));
    expect(screen.queryByRole("dialog")).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Open image a.png" }));
    fireEvent.click(screen.getByTestId("lightbox-image").parentElement!);
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});
