import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import i18n from "../../i18n";
import { parseRetentionDays, RetentionControl } from "./RetentionControl";

afterEach(async () => {
  cleanup();
  await i18n.changeLanguage("en");
});

describe("parseRetentionDays", () => {
  it("takes whole numbers from 1 to 3650 only", () => {
    expect(parseRetentionDays("1")).toBe(1);
    expect(parseRetentionDays(" 3650 ")).toBe(3650);
    for (const bad of ["0", "3651", "-1", "1.5", "", "abc", "1e3"]) expect(parseRetentionDays(bad)).toBeNull();
  });
});

describe("RetentionControl", () => {
  it("starts Off, turns on with a number of days and saves it", async () => {
    const onSave = vi.fn().mockResolvedValue(undefined);
    render(<RetentionControl value={null} onSave={onSave} />);
    expect(screen.getByText("Delete messages older than")).toBeTruthy();
    const mode = screen.getByTestId("retention-mode") as HTMLSelectElement;
    expect(mode.value).toBe("off");
    expect(screen.queryByTestId("retention-days")).toBeNull();
    expect((screen.getByTestId("retention-save") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("retention-hint").textContent).toBe("Messages are kept until someone deletes them.");

    fireEvent.change(mode, { target: { value: "days" } });
    const days = screen.getByRole("spinbutton", { name: "Days to keep messages" });
    fireEvent.change(days, { target: { value: "0" } });
    expect(screen.getByTestId("retention-hint").textContent).toBe("Enter a whole number of days from 1 to 3650.");
    expect((screen.getByTestId("retention-save") as HTMLButtonElement).disabled).toBe(true);

    fireEvent.change(days, { target: { value: "90" } });
    expect(screen.getByTestId("retention-hint").textContent).toContain("more than 90 days old");
    await act(async () => fireEvent.click(screen.getByTestId("retention-save")));
    expect(onSave).toHaveBeenCalledWith(90);
    expect(screen.getByRole("status").textContent).toBe("Saved.");
  });

  it("turns retention off (saves null) and shows the server's refusal", async () => {
    const onSave = vi.fn().mockRejectedValueOnce(new Error("nope")).mockResolvedValue(undefined);
    render(<RetentionControl value={30} onSave={onSave} />);
    expect((screen.getByTestId("retention-days") as HTMLInputElement).value).toBe("30");
    fireEvent.change(screen.getByTestId("retention-mode"), { target: { value: "off" } });
    await act(async () => fireEvent.click(screen.getByTestId("retention-save")));
    expect(onSave).toHaveBeenCalledWith(null);
    expect(screen.getByRole("alert")).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByTestId("retention-save")));
    expect(onSave).toHaveBeenCalledTimes(2);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("speaks Brazilian Portuguese", async () => {
    await i18n.changeLanguage("pt-BR");
    render(<RetentionControl value={1} onSave={vi.fn()} />);
    expect(screen.getByText("Excluir mensagens com mais de")).toBeTruthy();
    expect(screen.getByText("dias")).toBeTruthy();
    expect(screen.getByTestId("retention-hint").textContent).toBe("As mensagens e seus arquivos são excluídos quando têm mais de 1 dia. Não dá para desfazer.");
  });
});
