import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DropOverlay, preventStrayFileDrops, useFileDrop } from "./FileDrop";

function Area({ onFiles }: { onFiles: (files: File[]) => void }) {
  const drop = useFileDrop(onFiles);
  return (
    <section data-testid="area" {...drop.handlers}>
      <p data-testid="child">messages</p>
      {drop.dragging ? <DropOverlay target="#general" /> : null}
    </section>
  );
}

const withFiles = (files: File[]) => ({ dataTransfer: { types: ["Files"], files, dropEffect: "none" } });

afterEach(cleanup);

describe("drag and drop", () => {
  it("shows the drop zone while files are held over the area (moving over children does not hide it) and takes the drop", () => {
    const onFiles = vi.fn();
    render(<Area onFiles={onFiles} />);
    const file = new File(["x"], "a.png", { type: "image/png" });
    fireEvent.dragEnter(screen.getByTestId("area"), withFiles([]));
    expect(screen.getByTestId("drop-zone").textContent).toContain("Drop files to send them to #general");
    fireEvent.dragEnter(screen.getByTestId("child"), withFiles([]));
    fireEvent.dragLeave(screen.getByTestId("area"), withFiles([]));
    expect(screen.getByTestId("drop-zone")).toBeTruthy();
    fireEvent.drop(screen.getByTestId("child"), withFiles([file]));
    expect(screen.queryByTestId("drop-zone")).toBeNull();
    expect(onFiles).toHaveBeenCalledWith([file]);
  });

  it("ignores drags of text, and leaving the area hides the zone", () => {
    const onFiles = vi.fn();
    render(<Area onFiles={onFiles} />);
    fireEvent.dragEnter(screen.getByTestId("area"), { dataTransfer: { types: ["text/plain"], files: [] } });
    expect(screen.queryByTestId("drop-zone")).toBeNull();
    fireEvent.dragEnter(screen.getByTestId("area"), withFiles([]));
    fireEvent.dragLeave(screen.getByTestId("area"), withFiles([]));
    expect(screen.queryByTestId("drop-zone")).toBeNull();
  });

  it("a file dropped elsewhere on the page does not navigate away", () => {
    const undo = preventStrayFileDrops();
    const drop = new Event("drop", { cancelable: true });
    Object.defineProperty(drop, "dataTransfer", { value: { types: ["Files"] } });
    window.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    undo();
    const later = new Event("drop", { cancelable: true });
    Object.defineProperty(later, "dataTransfer", { value: { types: ["Files"] } });
    window.dispatchEvent(later);
    expect(later.defaultPrevented).toBe(false);
  });
});
