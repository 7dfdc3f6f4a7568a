import { describe, expect, it } from "vitest";
import { checkFiles, contentTypeOf, formatSize, isAllowedType, MAX_BYTES, MAX_FILES } from "./limits";

const file = (name: string, type: string, size = 10) => new File([new Uint8Array(Math.min(size, 16))], name, { type });
// A File whose size is reported without allocating it.
const sized = (name: string, type: string, size: number) => {
  const f = file(name, type);
  Object.defineProperty(f, "size", { value: size });
  return f;
};

describe("human size", () => {
  it("formats bytes, KB, MB and GB like a file manager", () => {
    expect(formatSize(0)).toBe("0 bytes");
    expect(formatSize(1)).toBe("1 byte");
    expect(formatSize(1023)).toBe("1023 bytes");
    expect(formatSize(1024)).toBe("1 KB");
    expect(formatSize(1536)).toBe("1.5 KB");
    expect(formatSize(245_000)).toBe("239 KB");
    expect(formatSize(Math.round(2.4 * 1024 * 1024))).toBe("2.4 MB");
    expect(formatSize(25 * 1024 * 1024)).toBe("25 MB");
    expect(formatSize(1024 * 1024 - 1)).toBe("1 MB");
    expect(formatSize(3 * 1024 ** 3)).toBe("3 GB");
  });
});

describe("content types", () => {
  it("takes the browser's type, or guesses from the extension when it gave none", () => {
    expect(contentTypeOf({ name: "a.png", type: "image/png" })).toBe("image/png");
    expect(contentTypeOf({ name: "notes.TXT", type: "" })).toBe("text/plain");
    expect(contentTypeOf({ name: "report.docx", type: "" })).toContain("wordprocessingml");
    expect(contentTypeOf({ name: "mystery", type: "" })).toBe("");
    expect(contentTypeOf({ name: "a.txt", type: "text/plain;charset=utf-8" })).toBe("text/plain");
    // Names some browsers use, declared by the name the server knows.
    expect(contentTypeOf({ name: "a.zip", type: "application/x-zip-compressed" })).toBe("application/zip");
    expect(contentTypeOf({ name: "a.mp3", type: "audio/mp3" })).toBe("audio/mpeg");
  });

  it("allows images, media, PDF, text, office documents and zip; refuses HTML, SVG and programs", () => {
    for (const t of ["image/png", "image/jpeg", "image/gif", "image/webp", "video/mp4", "audio/ogg", "application/pdf", "text/plain", "application/zip",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/msword"]) expect(isAllowedType(t), t).toBe(true);
    for (const t of ["text/html", "image/svg+xml", "application/x-msdownload", "application/x-sh", "application/javascript", "application/octet-stream", "video/x-matroska", ""])
      expect(isAllowedType(t), t).toBe(false);
  });
});

describe("pre-upload checks", () => {
  it("refuses a file over the size limit with its size and the limit, before anything is sent", () => {
    const [big] = checkFiles([sized("huge.mp4", "video/mp4", MAX_BYTES + 1)], 0);
    expect(big!.error).toBe("Too big: 25 MB (at most 25 MB per file).");
    const [edge] = checkFiles([sized("edge.mp4", "video/mp4", MAX_BYTES)], 0);
    expect(edge!.error).toBeUndefined();
    const [small] = checkFiles([sized("a.png", "image/png", 3 * 1024 * 1024)], 0, 2 * 1024 * 1024);
    expect(small!.error).toBe("Too big: 3 MB (at most 2 MB per file).");
  });

  it("refuses refused types and empty files, naming the reason", () => {
    const [html, svg, exe, empty] = checkFiles([file("page.html", "text/html"), file("cat.svg", "image/svg+xml"), file("setup.exe", "application/x-msdownload"), sized("e.txt", "text/plain", 0)], 0);
    expect(html!.error).toBe("This type of file cannot be sent (text/html).");
    expect(svg!.error).toBe("This type of file cannot be sent (image/svg+xml).");
    expect(exe!.error).toContain("cannot be sent");
    expect(empty!.error).toBe("This file is empty.");
  });

  it("refuses files past 10 per message, counting those already added; refused files take no room", () => {
    const files = Array.from({ length: 12 }, (_, i) => file(`f${i}.png`, "image/png"));
    const verdicts = checkFiles(files, 0);
    expect(verdicts.filter((v) => !v.error)).toHaveLength(MAX_FILES);
    expect(verdicts.slice(10).map((v) => v.error)).toEqual(["At most 10 files per message.", "At most 10 files per message."]);

    const withBad = checkFiles([file("x.html", "text/html"), file("a.png", "image/png"), file("b.png", "image/png")], 9);
    expect(withBad.map((v) => v.error ?? "ok")).toEqual(["This type of file cannot be sent (text/html).", "ok", "At most 10 files per message."]);
  });
});
