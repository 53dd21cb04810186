import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { api } from "../api";
import { installBackend, lead } from "../test-backend";
import { Clients } from "./Clients";

/** Acme's HubSpot connected with form 4 mapped, and, unless told not to, its two leads pushed there: two records. */
async function inHubSpot(push = true) {
  const backend = installBackend(["Acme"]);
  backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"));
  const connection = await api.crm.connect("hubspot", "Acme", "pat-na1-123", null);
  await api.crm.setMapping("Acme", "4", connection.id, await api.crm.suggest("Acme", "4", connection.id));
  const pushed = () => api.crm.push("Acme", connection.id, () => {});
  if (push) await pushed();
  return { backend, pushed };
}

async function askToRemoveAcme() {
  await userEvent.click(await screen.findByRole("button", { name: "Remove Acme" }));
  const dialog = await screen.findByRole("alertdialog");
  return { dialog, confirm: within(dialog).getByRole("button", { name: "Remove client" }) as HTMLButtonElement };
}

const QUESTION = "2 CRM records of this client are in its CRMs.";
const LEAVE = "Leave them in the CRMs (only what Custodian knows of them goes)";
const DELETE = "Delete them in the CRMs too (the client is removed only once every one is deleted)";

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

describe("Clients screen: a client with records in its CRMs", () => {
  it("asks whether they stay there or go too, with neither chosen and Remove off until one is", async () => {
    const { backend } = await inHubSpot();
    render(<Clients />);
    const { dialog, confirm } = await askToRemoveAcme();
    expect(within(dialog).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["2 leads", "2 CRM records"]);
    const question = within(dialog).getByRole("group", { name: QUESTION });
    const radios = within(question).getAllByRole("radio") as HTMLInputElement[];
    expect(radios.map((r) => [r.labels?.[0]?.textContent, r.checked])).toEqual([[LEAVE, false], [DELETE, false]]);
    expect(confirm.disabled).toBe(true);
    // Cancel keeps the focus, so Enter still removes nothing.
    expect(document.activeElement?.textContent).toBe("Cancel");

    await userEvent.click(within(question).getByRole("radio", { name: LEAVE }));
    expect(confirm.disabled).toBe(false);
    await userEvent.click(confirm);
    expect(await screen.findByText("No clients yet")).toBeTruthy();
    expect(screen.getByRole("status").textContent).toBe("Removed Acme; its 2 records in its CRMs were left there.");
    expect(backend.audit.some((e) => e.action === "client.delete_elsewhere")).toBe(false);
  });

  it("deletes them in the CRMs first, busy meanwhile, and says how many went", async () => {
    const { backend } = await inHubSpot();
    const remove = api.clients.remove;
    let go = () => {};
    const gate = new Promise<void>((resolve) => (go = resolve));
    const asked = vi.spyOn(api.clients, "remove").mockImplementation(async (...args) => {
      await gate;
      return remove(...args);
    });
    try {
      render(<Clients />);
      const { dialog, confirm } = await askToRemoveAcme();
      await userEvent.click(within(dialog).getByRole("radio", { name: DELETE }));
      await userEvent.click(confirm);
      expect(asked).toHaveBeenCalledWith("Acme", "delete");
      expect(within(dialog).getByRole("status").textContent).toBe("Deleting its records in the CRMs…");
      expect(confirm.disabled).toBe(true);
      expect(within(dialog).getByRole("radio", { name: LEAVE }).matches(":disabled")).toBe(true);

      await act(async () => go());
      expect(await screen.findByText("No clients yet")).toBeTruthy();
      expect(screen.getByRole("status").textContent).toBe("Removed Acme; its 2 records in its CRMs were deleted there first.");
      expect(backend.audit.find((e) => e.action === "client.delete_elsewhere")?.object).toBe(
        'client:id-Acme "Acme": 2 records deleted in its CRMs, 0 not deleted',
      );
    } finally {
      asked.mockRestore();
    }
  });

  it("keeps the client, and shows why, when a CRM cannot be reached to delete them; trying again goes on", async () => {
    const { backend } = await inHubSpot();
    backend.crm.unreachable = true;
    render(<Clients />);
    let asked = await askToRemoveAcme();
    await userEvent.click(within(asked.dialog).getByRole("radio", { name: DELETE }));
    await userEvent.click(asked.confirm);

    const alert = await screen.findByRole("alert");
    expect(alert.getAttribute("data-code")).toBe("remote_unavailable");
    expect(alert.textContent).toContain("2 records of client 'Acme' in its CRMs could not be deleted");
    expect(alert.textContent).toContain("Nothing Custodian holds about the client was removed");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(screen.getByText("Acme")).toBeTruthy();
    expect(backend.clients).toHaveLength(1);
    expect(backend.leads).toHaveLength(2);

    backend.crm.unreachable = false;
    asked = await askToRemoveAcme();
    await userEvent.click(within(asked.dialog).getByRole("radio", { name: DELETE }));
    await userEvent.click(asked.confirm);
    expect(await screen.findByText("No clients yet")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByRole("status").textContent).toBe("Removed Acme; its 2 records in its CRMs were deleted there first.");
  });

  it("asks again when its leads reached its CRMs after it was asked, and removes nothing meanwhile", async () => {
    const { backend, pushed } = await inHubSpot(false);
    render(<Clients />);
    const { dialog, confirm } = await askToRemoveAcme();
    expect(within(dialog).queryByRole("group")).toBeNull();
    await act(async () => {
      await pushed();
    });

    await userEvent.click(confirm);
    const again = await within(await screen.findByRole("alertdialog")).findByRole("group", { name: QUESTION });
    expect(screen.getByRole("alert").getAttribute("data-code")).toBe("confirmation_required");
    expect(backend.clients).toHaveLength(1);
    await userEvent.click(within(again).getByRole("radio", { name: LEAVE }));
    await userEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Remove client" }));
    await waitFor(() => expect(backend.clients).toHaveLength(0));
  });
});
