import { describe, expect, it } from "vitest";
import i18n from "../../i18n";
import { fileIcon, fileTypeOf, fitWithin, gridLayout, kindOf, splitByKind, typeLabel } from "./display";

describe("image grid layout", () => {
  it("shows one image on its own, at its proportions", () => {
    expect(gridLayout(1)).toEqual({ single: true, cells: [{ colSpan: 6, rowSpan: 1 }] });
    expect(gridLayout(0).cells).toEqual([]);
  });

  it("lays 2 side by side, 3 as one tall and two stacked, 4 as 2×2", () => {
    expect(gridLayout(2).cells).toEqual([{ colSpan: 3, rowSpan: 1 }, { colSpan: 3, rowSpan: 1 }]);
    expect(gridLayout(3).cells).toEqual([{ colSpan: 3, rowSpan: 2 }, { colSpan: 3, rowSpan: 1 }, { colSpan: 3, rowSpan: 1 }]);
    expect(gridLayout(4).cells.map((c) => c.colSpan)).toEqual([3, 3, 3, 3]);
  });

  it("fills rows of three from 5 on, the first row taking the remainder so no row has a gap", () => {
    expect(gridLayout(5).cells.map((c) => c.colSpan)).toEqual([3, 3, 2, 2, 2]);
    expect(gridLayout(6).cells.map((c) => c.colSpan)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(gridLayout(7).cells.map((c) => c.colSpan)).toEqual([6, 2, 2, 2, 2, 2, 2]);
    for (let n = 5; n <= 10; n++) {
      const total = gridLayout(n).cells.reduce((sum, c) => sum + c.colSpan, 0);
      expect(total % 6, `${n} images`).toBe(0);
    }
  });

  it("reserves the space of a single image: scaled down to fit, never up", () => {
    expect(fitWithin(800, 600)).toEqual({ width: 400, height: 300 });
    expect(fitWithin(400, 1600)).toEqual({ width: 75, height: 300 });
    expect(fitWithin(120, 80)).toEqual({ width: 120, height: 80 });
    expect(fitWithin(null, 80)).toBeNull();
  });
});

describe("attachment kinds", () => {
  it("renders raster images, plays video and audio, and offers the rest as files (SVG included)", () => {
    expect(kindOf("image/webp")).toBe("image");
    expect(kindOf("image/svg+xml")).toBe("file");
    expect(kindOf("video/mp4")).toBe("video");
    expect(kindOf("audio/mpeg")).toBe("audio");
    expect(kindOf("application/pdf")).toBe("file");
    const a = (id: string, content_type: string) => ({ id, filename: id, content_type, size_bytes: 1, url: "/u" });
    const split = splitByKind([a("1", "image/png"), a("2", "application/zip"), a("3", "image/gif")]);
    expect(split.image.map((x) => x.id)).toEqual(["1", "3"]);
    expect(split.file.map((x) => x.id)).toEqual(["2"]);
  });

  it("names file types for the card", () => {
    const t = i18n.getFixedT("en", "attachments");
    expect(typeLabel("application/pdf", "a.pdf", t)).toBe("PDF");
    expect(typeLabel("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx", t)).toBe("Word document");
    expect(typeLabel("application/zip", "a.zip", t)).toBe("ZIP archive");
    expect(typeLabel("application/x-thing", "data.bin", t)).toBe("BIN file");
    expect(typeLabel("application/x-thing", "noext", t)).toBe("application/x-thing");
    expect(typeLabel("", "noext", t)).toBe("File");
  });

  it("names file types in Brazilian Portuguese, keeping the identifiers", () => {
    const t = i18n.getFixedT("pt-BR", "attachments");
    expect(typeLabel("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx", t)).toBe("Documento do Word");
    expect(typeLabel("application/zip", "a.zip", t)).toBe("Arquivo ZIP");
    expect(typeLabel("application/x-thing", "data.bin", t)).toBe("Arquivo BIN");
    expect(fileTypeOf("application/zip", "a.zip")).toEqual({ type: "zip" });
    expect(fileTypeOf("application/x-thing", "data.bin")).toEqual({ type: "extension", ext: "BIN" });
    expect(fileTypeOf("application/x-thing", "noext")).toEqual({ type: "raw", raw: "application/x-thing" });
  });

  it("picks the card icon from the type, whatever the language", () => {
    expect(fileIcon("application/pdf")).toBe("📄");
    expect(fileIcon("application/zip")).toBe("🗜️");
    expect(fileIcon("text/csv")).toBe("📊");
    expect(fileIcon("application/msword")).toBe("📝");
    expect(fileIcon("application/x-thing")).toBe("📎");
  });
});
