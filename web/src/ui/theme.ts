import { useEffect } from "react";
import { useUi } from "../stores/ui";

/** Keeps the `dark` class on <html> in step with the persisted theme. */
export function useApplyTheme(): void {
  const theme = useUi((s) => s.theme);
  useEffect(() => {
    document.documentElement.classList.toggle("dark", theme === "dark");
    document.querySelector('meta[name="theme-color"]')?.setAttribute("content", theme === "dark" ? "#1e1f22" : "#ffffff");
  }, [theme]);
}
