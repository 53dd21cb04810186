import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { api, CommandError, type Crm } from "../../api";
import { crmConnection, installBackend, lead } from "../../test-backend";
import { Connections } from "../connections/Connections";
import { choose } from "../../test-choose";

const cells = (row: HTMLElement) => within(row).getAllByRole("cell").map((c) => c.textContent);
const refusal = (e: unknown) => (e as CommandError).code;

/** Acme with two leads of form 4 and its CRM connected, as mapping and pushing need. */
async function connected(crm: Crm = "hubspot") {
  const backend = installBackend(["Acme"]);
  backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"));
  const connection = await api.crm.connect(crm, "Acme", "pat-na1-123", crm === "salesforce" ? "https://acme.my.salesforce.com" : null);
  return { backend, connection };
}

/** The suggested mapping of form 4 kept, so that its leads are sent. */
async function mapped(crm: Crm = "hubspot") {
  const { backend, connection } = await connected(crm);
  await api.crm.setMapping("Acme", "4", connection.id, await api.crm.suggest("Acme", "4", connection.id));
  return { backend, connection };
}

async function fillConnect(token: string, client = "Acme") {
  const form = await screen.findByTestId("crm-connect");
  // The clients come in after the form shows.
  await within(form).findByRole("option", { name: client });
  await choose(within(form).getByLabelText("Client"), client);
  const field = within(form).getByLabelText("Token") as HTMLInputElement;
  await userEvent.type(field, token);
  return { form, field };
}

describe("CRM connections", () => {
  it("says no CRM is connected yet", async () => {
    installBackend(["Acme"]);
    render(<Connections />);
    expect(within(await screen.findByTestId("crms")).getByRole("heading", { level: 2 }).textContent).toBe("CRMs");
    expect((await screen.findByTestId("crm-empty")).textContent).toBe(
      "No CRM is connected yet. Connect a client's HubSpot, Salesforce or Pipedrive above to send its leads on.",
    );
  });

  it("a connection set to push new leads after imports and syncs says so and keeps it", async () => {
    const { backend } = await connected();
    render(<Connections />);
    const box = (await screen.findByTestId("crm-auto-push")) as HTMLInputElement;
    expect(box.checked).toBe(false);
    await userEvent.click(box);
    await waitFor(() => expect(backend.crmConnections[0]?.auto_push).toBe(true));
    expect(box.checked).toBe(true);
    expect(screen.getByText("Acme's new leads now go to HubSpot after each import and sync.")).toBeTruthy();
    await userEvent.click(box);
    await waitFor(() => expect(backend.crmConnections[0]?.auto_push).toBe(false));
  });

  it("connecting with a token the CRM accepts lists the connection and clears the token field", async () => {
    const backend = installBackend(["Acme", "Globex"]);
    const { container } = render(<Connections />);
    const { form, field } = await fillConnect("pat-na1-123", "Globex");
    expect(field.type).toBe("password");
    await userEvent.click(within(form).getByRole("button", { name: "Connect CRM" }));

    const row = await screen.findByTestId("crm-row");
    expect(cells(row).slice(0, 5)).toEqual(["HubSpot", "Globex", "https://api.hubapi.com", "OK", new Date("2026-11-22T10:20:00.000Z").toLocaleString()]);
    expect(field.value).toBe("");
    expect(screen.getByText("Connected HubSpot for Globex.")).toBeTruthy();
    expect(backend.keychain).toEqual([`crm-token/${backend.crmConnections[0]!.id}`]);
    expect(backend.audit[0]?.action).toBe("crm.connect");
    expect(container.innerHTML).not.toContain("pat-na1-123");
    expect(JSON.stringify(backend.crmConnections)).not.toContain("pat-na1-123");
  });

  it("a token the CRM refuses shows its answer, keeps nothing and clears the field", async () => {
    const backend = installBackend(["Acme"]);
    render(<Connections />);
    const { form, field } = await fillConnect("bad-token");
    await userEvent.click(within(form).getByRole("button", { name: "Connect CRM" }));

    const alert = await within(form).findByRole("alert");
    expect(alert.getAttribute("data-code")).toBe("token_invalid");
    expect(alert.textContent).toBe("HubSpot no longer accepts this token (Authentication credentials not found); connect it again with a new one.");
    expect(field.value).toBe("");
    expect(screen.getByTestId("crm-empty")).toBeTruthy();
    expect(backend.crmConnections).toEqual([]);
    expect(backend.keychain).toEqual([]);
  });

  it("Salesforce asks for its instance URL, and without one is refused with the token kept for a second try", async () => {
    const backend = installBackend(["Acme"]);
    render(<Connections />);
    const form = await screen.findByTestId("crm-connect");
    expect(within(form).getByLabelText("API address (optional)")).toBeTruthy();
    await choose(within(form).getByLabelText("CRM"), "Salesforce");
    expect(within(form).queryByLabelText("API address (optional)")).toBeNull();
    const url = within(form).getByLabelText("Instance URL") as HTMLInputElement;
    expect(url.placeholder).toBe("https://yourorg.my.salesforce.com");

    const { field } = await fillConnect("00Dxx!AQ4AQ");
    await userEvent.click(within(form).getByRole("button", { name: "Connect CRM" }));
    const alert = await within(form).findByRole("alert");
    expect(alert.getAttribute("data-code")).toBe("invalid_input");
    expect(alert.textContent).toContain("give its instance URL (https://yourorg.my.salesforce.com)");
    expect(backend.crmConnections).toEqual([]);
    expect(field.value).toBe("00Dxx!AQ4AQ");

    await userEvent.type(url, "https://acme.my.salesforce.com/");
    await userEvent.click(within(form).getByRole("button", { name: "Connect CRM" }));
    const row = await screen.findByTestId("crm-row");
    expect(cells(row).slice(0, 4)).toEqual(["Salesforce", "Acme", "https://acme.my.salesforce.com", "OK"]);
    expect(within(form).queryByRole("alert")).toBeNull();
    expect(field.value).toBe("");
  });

  it("cannot connect before a client and a token are given", async () => {
    installBackend(["Acme"]);
    render(<Connections />);
    const form = await screen.findByTestId("crm-connect");
    const submit = within(form).getByRole("button", { name: "Connect CRM" }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    await userEvent.type(within(form).getByLabelText("Token"), "pat-na1-123");
    expect(submit.disabled).toBe(true);
    await within(form).findByRole("option", { name: "Acme" });
    await choose(within(form).getByLabelText("Client"), "Acme");
    expect(submit.disabled).toBe(false);
  });

  it("a connection whose token the CRM no longer accepts says to connect again, and why", async () => {
    const backend = installBackend(["Acme"]);
    backend.crmConnections.push(crmConnection({ invalid_reason: "the token was revoked" }));
    render(<Connections />);
    expect((await screen.findByTestId("crm-health")).textContent).toBe("Connect again (the token was revoked)");
  });

  it("disconnecting asks first in the backend's words, with Cancel focused, and then removes the token", async () => {
    const { backend, connection } = await connected();
    render(<Connections />);
    await userEvent.click(await screen.findByRole("button", { name: "Disconnect HubSpot of Acme" }));

    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByRole("heading").textContent).toBe("Disconnect HubSpot of Acme?");
    expect(within(dialog).getByTestId("crm-disconnect-consequences").textContent).toBe(
      `Disconnecting removes the HubSpot token of connection ${connection.id} from the keychain, with its field mappings; records already in the CRM stay there.`,
    );
    expect(document.activeElement?.textContent).toBe("Cancel");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(backend.crmConnections).toHaveLength(1);

    await userEvent.click(screen.getByRole("button", { name: "Disconnect HubSpot of Acme" }));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Disconnect" }));
    expect(await screen.findByTestId("crm-empty")).toBeTruthy();
    expect(screen.getByText("Disconnected HubSpot of Acme; its token left the keychain.")).toBeTruthy();
    expect(backend.keychain).toEqual([]);
    expect(backend.audit[0]?.action).toBe("crm.disconnect");
  });

  it("the backend disconnects nothing unconfirmed", async () => {
    const { backend, connection } = await connected();
    expect(await api.crm.disconnect(connection.id, false).catch(refusal)).toBe("confirmation_required");
    expect(backend.crmConnections).toHaveLength(1);
    expect(backend.keychain).toHaveLength(1);
  });
});

describe("Pushing to a CRM", () => {
  it("shows progress, then the counts and each lead the CRM did not take, with a way to fix its form's mapping", async () => {
    const { backend } = await mapped();
    backend.leads.push(
      { ...lead(3, "Cy Young"), answers: [["full_name", "Cy Young"], ["email", "not-an-email"]] },
      { ...lead(4, "Di Ross"), form_id: "9", form_name: "Autumn" },
      lead(5, "Ed Wood"),
    );
    // Bob restricted processing: nothing about him is sent.
    const request = await api.requests.create({
      kind: "restriction", identifiers: [{ kind: "email", value: "bob@example.com" }], regime: null, received_on: null, client: "Acme",
      verification_notes: null,
    });
    await api.requests.restrict(request.id);
    backend.pauseCrmPush = true;
    render(<Connections />);
    const push = await screen.findByRole("button", { name: "Push leads to HubSpot of Acme" });
    await userEvent.click(push);

    // "Asking the CRM…" until the first batch's progress arrives.
    await waitFor(() => expect(screen.getByTestId("crm-push-progress-text").textContent).toBe("2 of 5 leads"));
    const bar = within(screen.getByTestId("crm-push-progress")).getByRole("progressbar") as HTMLProgressElement;
    expect([bar.value, bar.max]).toEqual([2, 5]);
    expect((push as HTMLButtonElement).disabled).toBe(true);
    backend.pauseCrmPush = false;
    act(() => backend.resume());

    const result = await screen.findByTestId("crm-push-result");
    expect(within(result).getByRole("heading").textContent).toBe("Push finished");
    expect(screen.queryByTestId("crm-push-progress")).toBeNull();
    // Created, updated, unchanged, withheld, not mapped, failed.
    expect(cells(within(result).getAllByRole("row")[1]!)).toEqual(["HubSpot", "Acme", "2", "0", "0", "1", "1", "1"]);
    expect(within(result).getByTestId("crm-push-not-mapped").textContent).toContain("1 lead of forms without a mapping");
    const failures = within(result).getAllByTestId("crm-push-failure");
    expect(failures.map((f) => f.querySelector("span")?.textContent)).toEqual([
      "Lead 3 (Meta lead id 1003), form 4: as mapped: email: 'not-an-email' is not an email address",
    ]);
    expect(within(result).queryByTestId("crm-push-stopped")).toBeNull();

    await userEvent.click(within(failures[0]!).getByRole("button", { name: "Fix mapping" }));
    const editor = await screen.findByRole("dialog");
    expect((within(editor).getByTestId("crm-map-form") as HTMLSelectElement).value).toBe("4");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();

    // The same leads again: nothing has changed, so nothing is sent again.
    await userEvent.click(push);
    await waitFor(() => expect(cells(within(screen.getByTestId("crm-push-result")).getAllByRole("row")[1]!)).toEqual(["HubSpot", "Acme", "0", "0", "2", "1", "1", "1"]));
  });

  it("cancelling a push says where it stopped and keeps what was sent", async () => {
    const { backend } = await mapped();
    backend.leads.push(lead(3, "Cy Young"), lead(4, "Di Ross"));
    backend.pauseCrmPush = true;
    render(<Connections />);
    await userEvent.click(await screen.findByRole("button", { name: "Push leads to HubSpot of Acme" }));
    await screen.findByText("2 of 4 leads");

    await userEvent.click(screen.getByTestId("crm-push-cancel"));
    const result = await screen.findByTestId("crm-push-result");
    expect(within(result).getByRole("heading").textContent).toBe("Push stopped");
    expect(within(result).getByTestId("crm-push-stopped").textContent).toBe("Stopped before the end: cancelled. The next push goes on from what was sent.");
    expect(cells(within(result).getAllByRole("row")[1]!)).toEqual(["HubSpot", "Acme", "2", "0", "0", "0", "0", "0"]);
    expect(backend.pushResults.map((r) => r.lead_id)).toEqual([1, 2]);
    expect((screen.getByRole("button", { name: "Push leads to HubSpot of Acme" }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("a push the CRM refuses the token for shows its answer and marks the connection", async () => {
    const { backend, connection } = await mapped();
    backend.crm.refusedTokens[connection.id] = "the token was revoked";
    render(<Connections />);
    await userEvent.click(await screen.findByRole("button", { name: "Push leads to HubSpot of Acme" }));
    expect((await screen.findByRole("alert")).getAttribute("data-code")).toBe("token_invalid");
    await waitFor(() => expect(screen.getByTestId("crm-health").textContent).toBe("Connect again (the token was revoked)"));
    expect(screen.queryByTestId("crm-push-result")).toBeNull();
  });

  it("the backend pushes one job at a time", async () => {
    const { backend, connection } = await mapped();
    backend.pauseCrmPush = true;
    const seen: number[] = [];
    const first = api.crm.push(null, connection.id, (p) => seen.push(p.done));
    await waitFor(() => expect(seen).toEqual([2]));
    expect(await api.crm.push("Acme", null, () => {}).catch(refusal)).toBe("conflict");
    expect(await api.meta.sync(null, null, () => {}).catch(refusal)).toBe("conflict");
    expect(await api.leads.cancelImport()).toBe(true);
    expect((await first).pushes[0]?.stopped).toBe("cancelled");
  });
});
