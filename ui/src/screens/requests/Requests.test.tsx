import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { api } from "../../api";
import { installBackend, lead } from "../../test-backend";
import { countdown } from "./deadline";
import { erasureInWords } from "./erasureInWords";
import { Requests } from "./Requests";
import { choose } from "../../test-choose";

describe("Requests screen", () => {
  it("says what a request is for when there are none", async () => {
    installBackend();
    render(<Requests />);
    expect(await screen.findByText(/No requests yet/)).toBeTruthy();
  });

  it("counts down in words, amber and red being the backend's urgency", () => {
    expect(countdown({ urgency: "on_track", days_left: 30, due_on: "2026-12-22" })).toBe("30 days left");
    expect(countdown({ urgency: "due_soon", days_left: 1, due_on: "2026-12-22" })).toBe("1 day left");
    expect(countdown({ urgency: "due_soon", days_left: 0, due_on: "2026-12-22" })).toBe("due today");
    expect(countdown({ urgency: "overdue", days_left: -3, due_on: "2026-12-22" })).toBe("3 days overdue");
    expect(countdown({ urgency: "closed", days_left: -3, due_on: "2026-12-22" })).toBe("was due 2026-12-22");
  });

  it("keeps the form and shows why when a request has no identifier", async () => {
    const backend = installBackend();
    render(<Requests />);
    await userEvent.click(await screen.findByTestId("new-request"));
    await userEvent.click(screen.getByTestId("create-request"));
    expect((await screen.findByRole("alert")).textContent).toContain("at least one identifier");
    expect(screen.getByRole("form", { name: "New request" })).toBeTruthy();
    expect(backend.requests).toEqual([]);
  });

  it("records an erasure, finds the person's lead, erases it after confirmation and shows the receipt", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"));
    render(<Requests />);
    await userEvent.click(await screen.findByTestId("new-request"));
    await choose(screen.getByTestId("request-kind"), "erasure");
    await userEvent.type(screen.getByTestId("identifier-0"), "ann@example.com");
    await userEvent.click(screen.getByTestId("create-request"));

    const row = await screen.findByTestId("request-1");
    expect(row.textContent).toContain("ann@example.com");
    expect(row.textContent).toContain("30 days left");
    const detail = screen.getByTestId("request-detail");
    await userEvent.click(within(detail).getByTestId("find"));
    expect((await screen.findByTestId("found")).textContent).toContain("1 leads");

    await userEvent.click(within(detail).getByTestId("erase"));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog.textContent).toContain("deletes 1 leads");
    expect(backend.leads).toHaveLength(2);
    await userEvent.click(within(dialog).getByTestId("confirm"));
    const receipt = await screen.findByTestId("receipt");
    expect(receipt.textContent).toContain("ER-ABCD-EFGH-JKMN");
    expect(receipt.textContent).toContain("1 leads");
    expect(backend.leads.map((l) => l.id)).toEqual([2]);
    expect((await screen.findByTestId("request-status")).textContent).toBe("Completed");
  });

  it("opens an erasure from a genuine deletion callback and refuses a forged one", async () => {
    const backend = installBackend();
    render(<Requests />);
    await userEvent.click(await screen.findByText("From Meta's deletion callback…"));
    const box = screen.getByLabelText("signed_request");
    await userEvent.type(box, "forged.payload");
    await userEvent.click(screen.getByText("Verify and open"));
    expect((await screen.findByRole("alert")).textContent).toContain("does not match");
    expect(backend.requests).toEqual([]);
    await userEvent.clear(box);
    await userEvent.type(box, "good.payload");
    await userEvent.click(screen.getByText("Verify and open"));
    expect((await screen.findByTestId("request-detail")).textContent).toContain("app_user_id: 987654321");
  });

  it("shows when a lead kept at Meta was read there live, and nothing of the kind for what is held here", async () => {
    const backend = installBackend(["Acme"]);
    // A lead synced from a form on record: Meta holds it too, and an access request reads it there.
    backend.pages.push({ id: "p1", name: "Acme Shoes", category: "Shoe store", client: "Acme", connection_id: "c1" });
    backend.forms.push({ id: "f1", page_id: "p1", name: "Test drive", status: "ACTIVE", leads_count: 1, sync: true, last_synced_at: null });
    backend.leads.push({ ...lead(1, "Ann Lee"), meta_id: "f1-1", form_id: "f1" });
    render(<Requests />);
    await userEvent.click(await screen.findByTestId("new-request"));
    await userEvent.type(screen.getByTestId("identifier-0"), "ann@example.com");
    await userEvent.click(screen.getByTestId("create-request"));
    await userEvent.click(within(await screen.findByTestId("request-detail")).getByTestId("find"));

    const found = await screen.findByTestId("found");
    const [here, atMeta] = within(found).getAllByTestId("found-record");
    expect(within(found).getAllByTestId("found-record")).toHaveLength(2);
    expect(within(here!).queryByTestId("read-live")).toBeNull();
    const live = within(atMeta!).getByTestId("read-live");
    const at = "2026-11-22T10:00:00.000Z";
    expect(live.textContent).toBe(`Read live from Meta at ${new Date(at).toLocaleString()}`);
    expect(live.querySelector("time")?.getAttribute("dateTime")).toBe(at);
  });

  it("edits the processing information that exports quote", async () => {
    const backend = installBackend();
    render(<Requests />);
    await userEvent.click(await screen.findByText("Processing information…"));
    const purposes = await screen.findByLabelText(/Why the data is processed/);
    await userEvent.clear(purposes);
    await userEvent.type(purposes, "Test drives");
    const label = purposes.closest("label")!;
    await userEvent.click(within(label).getByText("Save"));
    expect((await screen.findByRole("status")).textContent).toContain("Why the data is processed");
    expect(backend.processing.purposes).toBe("Test drives");
  });
});

async function recordErasure(identifier: string) {
  await userEvent.click(await screen.findByTestId("new-request"));
  await choose(screen.getByTestId("request-kind"), "erasure");
  await userEvent.type(screen.getByTestId("identifier-0"), identifier);
  await userEvent.click(screen.getByTestId("create-request"));
  return await screen.findByTestId("request-detail");
}

describe("Requests screen: erasures that find nothing, holds and existing files", () => {
  it("leaves the received date empty, so the backend's today applies, and sends a date given", async () => {
    const backend = installBackend();
    render(<Requests />);
    await userEvent.click(await screen.findByTestId("new-request"));
    const received = screen.getByTestId("received-on") as HTMLInputElement;
    expect(received.value).toBe("");
    expect(received.placeholder).toBe("today");
    await userEvent.type(screen.getByTestId("identifier-0"), "ann@example.com");
    await userEvent.click(screen.getByTestId("create-request"));
    await screen.findByTestId("request-1");
    expect(backend.requests[0]?.received_on).toBe("2026-11-22");

    await userEvent.click(screen.getByTestId("new-request"));
    await userEvent.type(screen.getByTestId("identifier-0"), "bob@example.com");
    await userEvent.type(screen.getByTestId("received-on"), "2026-11-20");
    await userEvent.click(screen.getByTestId("create-request"));
    await screen.findByTestId("request-2");
    expect(backend.requests[1]?.received_on).toBe("2026-11-20");
  });

  it("says when an erasure finds nothing, keeps the request open, and erases once an email the person gave finds them", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"));
    render(<Requests />);
    const detail = await recordErasure("a.lee@example.net");

    await userEvent.click(within(detail).getByTestId("erase"));
    const nothing = await screen.findByTestId("nothing-found");
    expect(within(nothing).getByRole("alert").textContent).toContain("Nothing held is found under the identifiers of request 1");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(screen.getByTestId("request-status").textContent).toBe("Received");
    expect(backend.leads).toHaveLength(2);

    await userEvent.type(within(nothing).getByTestId("add-identifier-0"), "ann@example.com");
    await userEvent.click(within(nothing).getByTestId("search-again"));
    expect((await screen.findByTestId("found")).textContent).toContain("1 leads");
    expect(screen.queryByTestId("nothing-found")).toBeNull();
    expect(backend.requests[0]?.identifiers.map((i) => i.value)).toEqual(["a.lee@example.net", "ann@example.com"]);
    expect(screen.getByTestId("request-detail").textContent).toContain("email: ann@example.com");

    await userEvent.click(within(detail).getByTestId("erase"));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog.textContent).toContain("deletes 1 leads");
    await userEvent.click(within(dialog).getByTestId("confirm"));
    const receipt = await screen.findByTestId("receipt");
    expect(receipt.textContent).toContain("1 leads");
    expect(within(receipt).queryByTestId("nothing-held")).toBeNull();
    expect(backend.leads.map((l) => l.id)).toEqual([2]);
  });

  it("closes an erasure that finds nothing as nothing held, after asking, and the receipt says nothing held", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"));
    render(<Requests />);
    const detail = await recordErasure("nobody@example.com");
    await userEvent.click(within(detail).getByTestId("erase"));
    await userEvent.click(await screen.findByTestId("close-nothing-held"));

    const dialog = await screen.findByRole("alertdialog");
    expect(dialog.textContent).toContain("as nothing held");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(backend.requests[0]?.status).toBe("received");

    await userEvent.click(screen.getByTestId("close-nothing-held"));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByTestId("confirm"));
    const receipt = await screen.findByTestId("receipt");
    expect(receipt.textContent).toContain("Closed: nothing held");
    expect(within(receipt).getByTestId("nothing-held").textContent).toContain("nothing held");
    expect(receipt.textContent).not.toContain("Deleted");
    expect(backend.leads).toHaveLength(1);
    expect((await screen.findByTestId("request-status")).textContent).toBe("Completed");
    expect(screen.queryByTestId("nothing-found")).toBeNull();
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByTestId("receipt")).toBeNull();
  });

  it("shows that a legal hold keeps the person's data, naming the hold and its reason, and deletes nothing", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"));
    backend.holds.push({ id: 4, client: "Acme", identifiers: [], reason: "dispute with the advertiser", until: null, created_at: "2026-11-22T10:00:00Z" });
    render(<Requests />);
    const detail = await recordErasure("ann@example.com");
    await userEvent.click(within(detail).getByTestId("erase"));

    const held = await screen.findByTestId("held");
    expect(held.getAttribute("data-code")).toBe("held");
    expect(held.textContent).toContain("Kept by a legal hold");
    expect(held.textContent).toContain("legal hold #4 on client 'Acme' (dispute with the advertiser)");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(backend.leads).toHaveLength(1);
    expect(backend.requests[0]?.status).toBe("received");
    expect((await screen.findByText(/erasure withheld: legal hold #4/)).textContent).toContain("dispute with the advertiser");
  });

  it("composes the erase dialog from the preview of what erasing deletes, and deletes nothing until confirmed", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"), lead(3, "Ann Other"));
    render(<Requests />);
    const detail = await recordErasure("ann@example.com");
    await userEvent.click(within(detail).getByTestId("erase"));

    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByRole("heading").textContent).toBe("Erase request 1's person?");
    expect(dialog.querySelector(".dialog-body p")?.textContent).toBe(
      "Erasing request 1's person deletes 2 leads and puts 1 identifiers on the suppression list.",
    );
    expect(backend.leads).toHaveLength(3);
    expect(backend.requests[0]?.status).toBe("received");
  });

  it("words an erasure from its counts, joined, or as nothing", () => {
    const leads = { kind: "leads", label: "leads", count: 2 } as const;
    const imports = { kind: "imports", label: "import records", count: 1 } as const;
    expect(erasureInWords({ request_id: 3, deletes: [leads, imports], suppresses: 4 })).toBe(
      "Erasing request 3's person deletes 2 leads, 1 import records and puts 4 identifiers on the suppression list.",
    );
    expect(erasureInWords({ request_id: 3, deletes: [], suppresses: 1 })).toBe(
      "Erasing request 3's person deletes nothing and puts 1 identifiers on the suppression list.",
    );
  });

  it("shows the held message and no dialog when a hold on the person refuses the erasure", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"));
    await api.retention.addHold({ client: null, identifiers: [{ kind: "email", value: "ann@example.com" }], reason: "complaint to the authority", until: null });
    render(<Requests />);
    const detail = await recordErasure("ann@example.com");
    await userEvent.click(within(detail).getByTestId("erase"));

    const held = await screen.findByTestId("held");
    expect(held.textContent).toContain("legal hold #1 (complaint to the authority)");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(backend.leads).toHaveLength(1);
    expect(backend.requests[0]?.status).toBe("received");
  });

  it("asks before replacing an existing file with a request's export, keeps it on Cancel and replaces it on confirmation", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"));
    backend.files.push("/home/ada/ann.zip");
    render(<Requests />);
    await userEvent.click(await screen.findByTestId("new-request"));
    await userEvent.type(screen.getByTestId("identifier-0"), "ann@example.com");
    await userEvent.click(screen.getByTestId("create-request"));

    await userEvent.type(await screen.findByTestId("export-path"), "/home/ada/ann.zip{Enter}");
    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByRole("heading").textContent).toBe("/home/ada/ann.zip exists. Replace it?");
    expect(document.activeElement?.textContent).toBe("Cancel");
    await userEvent.keyboard("{Escape}");
    expect((await screen.findByRole("status")).textContent).toContain("Nothing was saved");
    expect(backend.audit.some((e) => e.action === "request.export")).toBe(false);

    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Replace" }));
    expect((await screen.findByRole("status")).textContent).toContain("Saved /home/ada/ann.zip: 1 records");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(backend.audit.filter((e) => e.action === "request.export")).toHaveLength(1);
  });
});

/** Ann's lead was synced from a form on record, so Meta holds it too; Bob's came from a file. */
function annSyncedFromMeta() {
  const backend = installBackend(["Acme"]);
  backend.pages.push({ id: "p1", name: "Acme Shoes", category: "Shoe store", client: "Acme", connection_id: "c1" });
  backend.forms.push({ id: "f1", page_id: "p1", name: "Test drive", status: "ACTIVE", leads_count: 1, sync: true, last_synced_at: null });
  backend.leads.push({ ...lead(1, "Ann Lee"), meta_id: "f1-1", form_id: "f1" }, lead(2, "Bob Stone"));
  return backend;
}

async function eraseAfterConfirming(detail: HTMLElement) {
  await userEvent.click(within(detail).getByTestId("erase"));
  await userEvent.click(within(await screen.findByRole("alertdialog")).getByTestId("confirm"));
  return await screen.findByTestId("receipt");
}

const cells = (row: HTMLElement) => within(row).getAllByRole("cell").map((c) => c.textContent);
const shown = (at: string) => new Date(at).toLocaleString();
const REFUSED = "Meta no longer accepts the Page's token: reconnect, then retry";
const ERASED_AT = "2026-11-22T10:00:00.000Z";
const RETRIED_AT = "2026-11-22T10:05:00.000Z";

describe("Requests screen: an erasure's steps at Meta", () => {
  it("lists a step Meta refused with its answer, and a retry Meta lets through shows it done and the Retry button gone", async () => {
    const backend = annSyncedFromMeta();
    backend.meta.deleteProblem = REFUSED;
    render(<Requests />);
    const receipt = await eraseAfterConfirming(await recordErasure("ann@example.com"));

    const failed = ["Delete a lead at Meta", `Failed ${REFUSED}`, "1", shown(ERASED_AT)];
    const onReceipt = within(within(receipt).getByTestId("receipt-remote")).getAllByTestId("remote-step");
    expect(onReceipt.map(cells)).toEqual([failed]);
    expect(within(receipt).getByTestId("receipt-remote").textContent).toContain("The erasure here stands all the same.");
    // Meta's refusal takes nothing back here.
    expect(backend.leads.map((l) => l.id)).toEqual([2]);
    await userEvent.click(within(receipt).getByRole("button", { name: "Done" }));

    const steps = await screen.findByTestId("remote-steps");
    expect(within(steps).getAllByTestId("remote-step").map(cells)).toEqual([failed]);
    backend.meta.deleteProblem = null;
    backend.pauseRetry = true;
    await userEvent.click(within(steps).getByTestId("retry-remote"));
    expect((within(steps).getByTestId("retry-remote") as HTMLButtonElement).disabled).toBe(true);
    expect(within(steps).getByRole("status").textContent).toBe("Asking again…");

    act(() => backend.resume());
    await waitFor(() => expect(within(steps).queryByTestId("retry-remote")).toBeNull());
    expect(within(steps).getAllByTestId("remote-step").map(cells)).toEqual([["Delete a lead at Meta", "Done deleted at Meta", "2", shown(RETRIED_AT)]]);
    expect(within(steps).getByRole("status").textContent).toBe("Every remote step is done.");
    // The focus the button had is not lost with it.
    expect(document.activeElement).toBe(within(steps).getByRole("heading", { name: "At Meta and in the CRMs" }));
    expect(backend.audit[0]?.object).toBe("request:1 1 remote steps, 0 failed");
  });

  it("keeps the Retry button while Meta still refuses, and shows a retry that could not be made in the backend's words", async () => {
    const backend = annSyncedFromMeta();
    backend.meta.deleteProblem = REFUSED;
    render(<Requests />);
    const receipt = await eraseAfterConfirming(await recordErasure("ann@example.com"));
    await userEvent.click(within(receipt).getByRole("button", { name: "Done" }));

    const steps = await screen.findByTestId("remote-steps");
    await userEvent.click(within(steps).getByTestId("retry-remote"));
    await waitFor(() => expect(cells(within(steps).getByTestId("remote-step"))[2]).toBe("2"));
    expect(cells(within(steps).getByTestId("remote-step"))[1]).toBe(`Failed ${REFUSED}`);
    expect(within(steps).getByRole("status").textContent).toBe("1 step is still not done; the service's answer says why.");
    expect((within(steps).getByTestId("retry-remote") as HTMLButtonElement).disabled).toBe(false);

    backend.fail = { code: "database_unreadable", message: "The workspace database cannot be read." };
    await userEvent.click(within(steps).getByTestId("retry-remote"));
    const alert = await within(steps).findByRole("alert");
    expect(alert.getAttribute("data-code")).toBe("database_unreadable");
    expect(alert.textContent).toBe("The workspace database cannot be read.");
    expect(cells(within(steps).getByTestId("remote-step"))[2]).toBe("2");
    expect(within(steps).getByTestId("retry-remote")).toBeTruthy();
  });

  it("shows a step not yet taken on opening an erased request, with the Retry button", async () => {
    const backend = installBackend();
    await api.requests.create({
      kind: "erasure", identifiers: [{ kind: "email", value: "ann@example.com" }], regime: null, received_on: null, client: null, verification_notes: null,
    });
    Object.assign(backend.requests[0]!, { status: "completed", urgency: "closed" });
    backend.remote[1] = [{ kind: "leads_at_meta", action: "delete_lead", status: "pending", answer: null, attempts: 0, updated_at: ERASED_AT }];
    render(<Requests />);
    await userEvent.click(await screen.findByTestId("request-1"));

    const steps = await screen.findByTestId("remote-steps");
    expect(within(steps).getAllByTestId("remote-step").map(cells)).toEqual([["Delete a lead at Meta", "Pending not yet taken", "0", shown(ERASED_AT)]]);
    expect(within(steps).getByTestId("retry-remote")).toBeTruthy();
  });

  it("shows no steps at Meta for an erasure of leads that came from files", async () => {
    installBackend(["Acme"]).leads.push(lead(1, "Ann Lee"));
    const asked = vi.spyOn(api.requests, "remoteSteps");
    try {
      render(<Requests />);
      const receipt = await eraseAfterConfirming(await recordErasure("ann@example.com"));
      expect(within(receipt).queryByTestId("receipt-remote")).toBeNull();

      // Asked, and answered with none: only then is the section's absence the answer's.
      await waitFor(() => expect(asked).toHaveBeenCalledWith(1));
      await act(async () => {
        expect(await asked.mock.results[0]!.value).toEqual([]);
      });
      expect(screen.queryByTestId("remote-steps")).toBeNull();
      expect(screen.queryByTestId("retry-remote")).toBeNull();
    } finally {
      asked.mockRestore();
    }
  });
});

/** Acme's two leads sent to its HubSpot by a push: the CRM holds a record of each. */
async function pushedToHubSpot() {
  const backend = installBackend(["Acme"]);
  backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"));
  const connection = await api.crm.connect("hubspot", "Acme", "pat-na1-123", null);
  await api.crm.setMapping("Acme", "4", connection.id, await api.crm.suggest("Acme", "4", connection.id));
  await api.crm.push("Acme", connection.id, () => {});
  return backend;
}

async function correct(identifier: string, field: string, value: string) {
  await userEvent.click(await screen.findByTestId("new-request"));
  await choose(screen.getByTestId("request-kind"), "rectification");
  await userEvent.type(screen.getByTestId("identifier-0"), identifier);
  await userEvent.click(screen.getByTestId("create-request"));
  const detail = await screen.findByTestId("request-detail");
  await userEvent.type(within(detail).getByLabelText("Field"), field);
  await userEvent.type(within(detail).getByLabelText("Corrected value"), value);
  await userEvent.click(within(detail).getByRole("button", { name: "Correct everywhere" }));
  return detail;
}

describe("Requests screen: a correction's steps in the CRMs", () => {
  it("shows the person's CRM record corrected there at once, with no retry", async () => {
    const backend = await pushedToHubSpot();
    render(<Requests />);
    const detail = await correct("ann@example.com", "full_name", "Ann Lee-Smith");

    const steps = await within(detail).findByTestId("remote-steps");
    expect(within(steps).getByRole("heading").textContent).toBe("In the CRMs");
    expect(within(steps).getAllByTestId("remote-step").map(cells)).toEqual([
      ["Correct a record in a CRM", "Done corrected in HubSpot", "1", shown(ERASED_AT)],
    ]);
    expect(within(steps).queryByTestId("retry-remote")).toBeNull();
    expect(within(detail).getByText("Corrected full_name on 1 leads, 1 CRM records; the old value is not kept.")).toBeTruthy();
    expect(backend.leads[0]?.answers[0]).toEqual(["full_name", "Ann Lee-Smith"]);
  });

  it("keeps a step a CRM could not take, with its answer, and a retry takes it", async () => {
    const backend = await pushedToHubSpot();
    backend.crm.unreachable = true;
    render(<Requests />);
    const detail = await correct("ann@example.com", "full_name", "Ann Lee-Smith");

    const steps = await within(detail).findByTestId("remote-steps");
    const failed = ["Correct a record in a CRM", "Failed HubSpot kept failing (connection refused) after 3 attempts", "1", shown(ERASED_AT)];
    expect(within(steps).getAllByTestId("remote-step").map(cells)).toEqual([failed]);
    // The correction here stands whatever the CRM answers.
    expect(backend.leads[0]?.answers[0]).toEqual(["full_name", "Ann Lee-Smith"]);

    backend.crm.unreachable = false;
    await userEvent.click(within(steps).getByRole("button", { name: "Retry in the CRMs" }));
    await waitFor(() => expect(within(steps).queryByTestId("retry-remote")).toBeNull());
    expect(within(steps).getAllByTestId("remote-step").map(cells)).toEqual([
      ["Correct a record in a CRM", "Done corrected in HubSpot", "2", shown(RETRIED_AT)],
    ]);
    expect(within(steps).getByRole("status").textContent).toBe("Every step in the CRMs is done.");
  });

  it("shows no CRM steps when the person's leads were never sent to a CRM", async () => {
    installBackend(["Acme"]).leads.push(lead(1, "Ann Lee"));
    render(<Requests />);
    const detail = await correct("ann@example.com", "full_name", "Ann Lee-Smith");
    expect(await within(detail).findByText("Corrected full_name on 1 leads; the old value is not kept.")).toBeTruthy();
    expect(within(detail).queryByTestId("remote-steps")).toBeNull();
  });
});
