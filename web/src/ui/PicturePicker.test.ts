import { describe, expect, it } from "vitest";
import { MAX_PICTURE_BYTES, pictureError } from "./PicturePicker";

describe("pictureError", () => {
  it("takes the four picture types up to the server's 8 MiB", () => {
    for (const type of ["image/png", "image/jpeg", "image/gif", "image/webp"]) expect(pictureError({ type, size: 1000 })).toBeNull();
    expect(pictureError({ type: "image/png", size: MAX_PICTURE_BYTES })).toBeNull();
  });

  it("refuses other types, oversize and empty files in words", () => {
    expect(pictureError({ type: "image/svg+xml", size: 10 })).toMatch(/PNG, JPEG, GIF or WebP/);
    expect(pictureError({ type: "", size: 10 })).toMatch(/PNG, JPEG, GIF or WebP/);
    expect(pictureError({ type: "image/png", size: MAX_PICTURE_BYTES + 1 })).toMatch(/larger than 8 MB/);
    expect(pictureError({ type: "image/png", size: 0 })).toMatch(/empty/);
  });
});
