import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { installBackend } from "../test-backend";
import { Clients } from "./Clients";

describe("Clients screen", () => {
  it("shows an empty state that says what to do", async () => {
    installBackend();
    render(<Clients />);
    expect(await screen.findByText("No clients yet")).toBeTruthy();
  });

  it("adds a client with Enter and lists it", async () => {
    const backend = installBackend();
    render(<Clients />);
    await userEvent.type(await screen.findByLabelText("New client"), "Acme Shoes{Enter}");
    expect(await screen.findByText("Acme Shoes")).toBeTruthy();
    expect(backend.clients.map((c) => c.name)).toEqual(["Acme Shoes"]);
    expect((screen.getByLabelText("New client") as HTMLInputElement).value).toBe("");
  });

  it("keeps the typed name and shows the message when the name is taken", async () => {
    installBackend(["Acme"]);
    render(<Clients />);
    const input = await screen.findByLabelText("New client");
    await userEvent.type(input, "acme{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("already exists");
    expect(alert.getAttribute("data-code")).toBe("conflict");
    expect((input as HTMLInputElement).value).toBe("acme");
  });

  it("renames inline: Enter saves, Escape cancels", async () => {
    const backend = installBackend(["Acme"]);
    render(<Clients />);
    await userEvent.click(await screen.findByRole("button", { name: "Rename Acme" }));
    const field = screen.getByLabelText("New name for Acme");
    await userEvent.clear(field);
    await userEvent.type(field, "Acme Holdings{Enter}");
    expect(await screen.findByText("Acme Holdings")).toBeTruthy();
    expect(backend.clients[0]?.name).toBe("Acme Holdings");

    await userEvent.click(screen.getByRole("button", { name: "Rename Acme Holdings" }));
    await userEvent.type(screen.getByLabelText("New name for Acme Holdings"), " X{Escape}");
    expect(screen.queryByLabelText("New name for Acme Holdings")).toBeNull();
    expect(backend.clients[0]?.name).toBe("Acme Holdings");
  });

  it("asks before removing, with Cancel focused so Enter does not remove", async () => {
    const backend = installBackend(["Acme"]);
    render(<Clients />);
    await userEvent.click(await screen.findByRole("button", { name: "Remove Acme" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog.textContent).toContain("holds no data");
    expect(document.activeElement?.textContent).toBe("Cancel");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(backend.clients).toHaveLength(1);

    await userEvent.click(screen.getByRole("button", { name: "Remove Acme" }));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Remove client" }));
    expect(await screen.findByText("No clients yet")).toBeTruthy();
    expect(backend.clients).toHaveLength(0);
  });

  it("shows that a legal hold keeps a client's data when it is to be removed, and removes nothing", async () => {
    const backend = installBackend(["Acme"]);
    backend.holds.push({ id: 2, client: "Acme", identifiers: [], reason: "tax audit 2026", until: null, created_at: "2026-11-22T10:00:00Z" });
    render(<Clients />);
    await userEvent.click(await screen.findByRole("button", { name: "Remove Acme" }));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Remove client" }));
    const held = await screen.findByTestId("held");
    expect(held.getAttribute("role")).toBe("alert");
    expect(held.textContent).toContain("Kept by a legal hold");
    expect(held.textContent).toContain("legal hold #2 on client 'Acme' (tax audit 2026)");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(screen.getByText("Acme")).toBeTruthy();
    expect(backend.clients).toHaveLength(1);
  });
});
