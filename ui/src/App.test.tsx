import { act, render, screen, waitFor } from "@testing-library/react";
import { emit } from "@tauri-apps/api/event";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { toCommandError } from "./api";
import { installBackend, lead } from "./test-backend";

describe("App", () => {
  it("opens on the Dashboard with the counts", async () => {
    installBackend(["Acme", "Globex"]);
    render(<App />);
    expect(await screen.findByRole("heading", { name: "Dashboard" })).toBeTruthy();
    expect((await screen.findByTestId("client-count")).textContent).toBe("2");
  });

  it("lays out the navigation beside the screen with nothing stray between them", async () => {
    installBackend();
    const { container } = render(<App />);
    await screen.findByRole("heading", { name: "Dashboard" });
    const shell = container.querySelector(".shell");
    expect(Array.from(shell?.childNodes ?? []).map((n) => n.nodeName)).toEqual(["NAV", "MAIN"]);
  });

  it("shows how far indexing the leads again has come, and nothing once it has finished", async () => {
    installBackend();
    render(<App />);
    await screen.findByRole("heading", { name: "Dashboard" });
    await act(() => emit("custodian://reindex", { done: 5000, total: 12000 }));
    const banner = await screen.findByTestId("reindexing");
    expect(banner.textContent).toContain("5,000 of 12,000");
    expect(banner.textContent).toContain("Erasures and purges wait");
    await act(() => emit("custodian://reindex", { done: 12000, total: 12000 }));
    await waitFor(() => expect(screen.queryByTestId("reindexing")).toBeNull());
  });

  it("moves between screens with Ctrl+number", async () => {
    installBackend();
    render(<App />);
    await screen.findByRole("heading", { name: "Dashboard" });
    await userEvent.keyboard("{Control>}2{/Control}");
    expect(await screen.findByRole("heading", { name: "Clients" })).toBeTruthy();
    await userEvent.keyboard("{Control>}3{/Control}");
    expect(await screen.findByRole("heading", { name: "Connections", level: 1 })).toBeTruthy();
    await userEvent.keyboard("{Control>}4{/Control}");
    expect(await screen.findByRole("heading", { name: "Leads" })).toBeTruthy();
    await userEvent.keyboard("{Control>}5{/Control}");
    expect(await screen.findByRole("heading", { name: "Data-subject requests" })).toBeTruthy();
    await userEvent.keyboard("{Control>}6{/Control}");
    expect(await screen.findByRole("heading", { name: "Retention" })).toBeTruthy();
    await userEvent.keyboard("{Control>}7{/Control}");
    expect(await screen.findByRole("heading", { name: "Audit trail" })).toBeTruthy();
    await userEvent.keyboard("{Control>}8{/Control}");
    expect(await screen.findByRole("heading", { name: "Push log", level: 1 })).toBeTruthy();
    await userEvent.keyboard("{Control>}9{/Control}");
    expect(await screen.findByRole("heading", { name: "Pixels", level: 1 })).toBeTruthy();
    await userEvent.keyboard("{Control>}0{/Control}");
    expect(await screen.findByRole("heading", { name: "Conversations", level: 1 })).toBeTruthy();
    await userEvent.keyboard("{Control>}b{/Control}");
    expect(await screen.findByRole("heading", { name: "Breaches", level: 1 })).toBeTruthy();
  });

  it("lists Connections right after Clients, and opens it from the Dashboard's Meta card", async () => {
    installBackend();
    render(<App />);
    await screen.findByRole("heading", { name: "Dashboard" });
    const order = screen.getAllByRole("button").filter((b) => b.dataset.testid?.startsWith("nav-"));
    expect(order.map((b) => b.dataset.testid)).toEqual([
      "nav-dashboard", "nav-clients", "nav-connections", "nav-leads", "nav-requests", "nav-retention", "nav-audit", "nav-push-log", "nav-pixels",
      "nav-conversations", "nav-breaches",
    ]);
    expect(screen.getByTestId("nav-connections").title).toBe("Ctrl+3");
    await userEvent.click(await screen.findByRole("button", { name: "Manage connections" }));
    expect(await screen.findByRole("heading", { name: "Connections", level: 1 })).toBeTruthy();
    expect(screen.getByTestId("nav-connections").getAttribute("aria-current")).toBe("page");
  });

  it("shows what to fix, instead of the app, when the keychain is unreachable", async () => {
    installBackend([], { code: "keychain_unavailable", message: "No OS keychain is reachable (no D-Bus)." });
    render(<App />);
    const alert = await screen.findByTestId("workspace-error");
    expect(alert.textContent).toContain("The OS keychain is not reachable");
    expect(alert.textContent).toContain("No OS keychain is reachable");
  });

  it("shows on the Dashboard what the next purge removes, and opens Retention from there", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"));
    render(<App />);
    expect((await screen.findByTestId("next-purge")).textContent).toBe("2");
    expect(screen.getByText(/2 leads of Acme/)).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Review retention" }));
    expect(await screen.findByRole("heading", { name: "Retention" })).toBeTruthy();
  });

  it("verifies the audit chain from the Dashboard", async () => {
    installBackend(["Acme"]);
    render(<App />);
    await userEvent.click(await screen.findByTestId("verify"));
    expect((await screen.findByTestId("verification")).textContent).toContain("Intact: 1 entries");
  });
});

describe("error mapping", () => {
  it("maps codes it does not know to unknown and keeps the message", () => {
    const e = toCommandError({ code: "something_new", message: "later feature" });
    expect(e.code).toBe("unknown");
    expect(e.message).toBe("later feature");
    expect(toCommandError("boom").code).toBe("unknown");
    expect(toCommandError({ code: "not_found", message: "x" }).code).toBe("not_found");
  });

  it("keeps the codes a screen switches on: held, nothing_found and file_exists", () => {
    for (const code of ["held", "nothing_found", "file_exists"] as const) {
      expect(toCommandError({ code, message: "x" }).code).toBe(code);
    }
  });
});
