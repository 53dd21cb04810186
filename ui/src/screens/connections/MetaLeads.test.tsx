import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, CommandError } from "../../api";
import { installBackend } from "../../test-backend";
import { Connections } from "./Connections";
import { began, leadsPerSecond, paced, rateInWords } from "./pace";
import { choose } from "../../test-choose";

/** A workspace with a SYSTEM_USER token connected, as reading from Meta needs. */
async function connected(clients: string[] = []) {
  const backend = installBackend(clients);
  backend.metaApp.app_id = "1234";
  await api.meta.connect("EAAGsystem123", null);
  return backend;
}

/** Acme Shoes assigned to Acme, its forms read, and those named chosen for sync. */
async function readyToSync(...sync: string[]) {
  const backend = await connected(["Acme"]);
  await api.meta.refreshPages();
  await api.meta.assignPage("p1", "Acme");
  await api.meta.refreshForms(null);
  for (const id of sync) await api.meta.setFormSync(id, true);
  return backend;
}

const cells = (row: HTMLElement) => within(row).getAllByRole("cell").map((c) => c.textContent);
const syncButton = () => screen.getByRole("button", { name: "Sync now" }) as HTMLButtonElement;

describe("Pages, lead forms and sync", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("says there are no Pages or forms yet and what to do first", async () => {
    installBackend();
    render(<Connections />);
    expect((await screen.findByTestId("pages-empty")).textContent).toBe("No Pages yet. Connect a token, then refresh from Meta.");
    expect((await screen.findByTestId("forms-empty")).textContent).toBe("No lead forms yet. Refresh the Pages first, then their forms.");
    expect((screen.getByRole("button", { name: "Refresh forms" }) as HTMLButtonElement).disabled).toBe(true);
    expect(syncButton().disabled).toBe(true);
    expect(screen.getByTestId("sync-none").textContent).toContain("No form is chosen for sync yet.");
  });

  it("refreshing Pages lists them and assigning a client shows it", async () => {
    const backend = await connected(["Acme", "Globex"]);
    render(<Connections />);
    await userEvent.click(await screen.findByRole("button", { name: "Refresh from Meta" }));

    const rows = await screen.findAllByTestId("page-row");
    expect(rows.map((r) => cells(r).slice(0, 2))).toEqual([
      ["Acme Outlet", "Outlet store"],
      ["Acme Shoes", "Shoe store"],
    ]);
    const client = screen.getByLabelText("Client of Acme Shoes") as HTMLSelectElement;
    expect(client.value).toBe("");
    expect([...client.options].map((o) => o.text)).toEqual(["No client", "Acme", "Globex"]);

    await choose(client, "Acme");
    expect(await screen.findByText("Acme Shoes is Acme's now.")).toBeTruthy();
    expect(client.value).toBe("Acme");
    expect(backend.pages.find((p) => p.id === "p1")?.client).toBe("Acme");
    expect(backend.audit[0]?.action).toBe("meta.assign");

    await choose(client, "No client");
    expect(await screen.findByText("Acme Shoes has no client now.")).toBeTruthy();
    expect(backend.pages.find((p) => p.id === "p1")?.client).toBeNull();
  });

  it("shows the problems of a refresh, and the connection Meta refused asks to log in again", async () => {
    const backend = await connected();
    const refused = backend.connections[0]!.id;
    await api.meta.connect("EAAGsystem456", null);
    backend.meta.refusedTokens[refused] = "the password was changed";
    render(<Connections />);
    await userEvent.click(await screen.findByRole("button", { name: "Refresh from Meta" }));

    const problems = await screen.findByTestId("page-problems");
    expect(within(problems).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      `Connection ${refused}: Meta no longer accepts this token (the password was changed); log in again or add a new token.`,
    ]);
    // The other connection was read all the same.
    expect(screen.getAllByTestId("page-row")).toHaveLength(2);
    await waitFor(() =>
      expect(screen.getAllByTestId("health").map((h) => h.textContent)).toContain("Log in again (the password was changed)"),
    );
  });

  it("shows the problems of a forms refresh beside the forms it could read", async () => {
    const backend = await connected();
    await api.meta.refreshPages();
    backend.meta.formProblems.p2 = "Meta refused for lack of a permission (code 200): leads_retrieval. Grant it to the app and connect again.";
    render(<Connections />);
    await userEvent.click(await screen.findByRole("button", { name: "Refresh forms" }));
    expect((await screen.findByTestId("form-problems")).textContent).toContain(
      "Page Acme Outlet: Meta refused for lack of a permission (code 200): leads_retrieval.",
    );
    expect(screen.getAllByTestId("form-row")).toHaveLength(2);
  });

  it("a slow reading of the forms that comes back after a form was chosen for sync does not undo it", async () => {
    const backend = await connected(["Acme"]);
    await api.meta.refreshPages();
    render(<Connections />);
    await screen.findByTestId("forms-empty");
    // Assigning a Page reads the forms again; that reading is slow, and answers with the forms as they were.
    backend.delayForms = true;
    await choose(await screen.findByTestId("page-client-p1"), "Acme");
    backend.delayForms = false;
    await userEvent.click(screen.getByRole("button", { name: "Refresh forms" }));
    await userEvent.click(await screen.findByLabelText("Sync Test drive (Acme Shoes)"));
    expect(await screen.findByText("Test drive will sync.")).toBeTruthy();
    await act(async () => backend.releaseForms());
    expect((screen.getByLabelText("Sync Test drive (Acme Shoes)") as HTMLInputElement).checked).toBe(true);
    expect(syncButton().disabled).toBe(false);
  });

  it("turning a form's sync on persists it", async () => {
    const backend = await connected(["Acme"]);
    await api.meta.refreshPages();
    const { unmount } = render(<Connections />);
    expect((await screen.findByTestId("forms-empty")).textContent).toBe("No lead forms yet. Refresh forms to read them from Meta.");
    await userEvent.click(screen.getByRole("button", { name: "Refresh forms" }));

    const rows = await screen.findAllByTestId("form-row");
    expect(rows.map((r) => cells(r).slice(0, 5))).toEqual([
      ["Acme Shoes", expect.stringMatching(/^Instagram spring/), "ACTIVE", "3", "never"],
      ["Acme Shoes", expect.stringMatching(/^Test drive/), "ACTIVE", "12", "never"],
    ]);
    const sync = screen.getByLabelText("Sync Test drive (Acme Shoes)") as HTMLInputElement;
    expect(sync.checked).toBe(false);
    await userEvent.click(sync);
    expect(await screen.findByText("Test drive will sync.")).toBeTruthy();
    expect(sync.checked).toBe(true);
    expect(backend.forms.find((f) => f.id === "f1")?.sync).toBe(true);

    unmount();
    render(<Connections />);
    await waitFor(() => expect((screen.getByLabelText("Sync Test drive (Acme Shoes)") as HTMLInputElement).checked).toBe(true));
    expect((screen.getByLabelText("Sync Instagram spring (Acme Shoes)") as HTMLInputElement).checked).toBe(false);
  });

  it("a form whose Page has no client says it syncs once the Page is assigned", async () => {
    await connected(["Acme"]);
    await api.meta.refreshPages();
    await api.meta.refreshForms(null);
    render(<Connections />);

    const hints = await screen.findAllByTestId("form-no-client");
    expect(hints.map((h) => h.textContent)).toEqual([
      "Its Page has no client: it syncs once Acme Shoes is assigned to one.",
      "Its Page has no client: it syncs once Acme Shoes is assigned to one.",
    ]);
    const sync = screen.getByLabelText("Sync Test drive (Acme Shoes)");
    expect(sync.getAttribute("aria-describedby")).toBe(hints[1]!.id);

    await choose(screen.getByLabelText("Client of Acme Shoes"), "Acme");
    await waitFor(() => expect(screen.queryByTestId("form-no-client")).toBeNull());
    expect(screen.getByLabelText("Sync Test drive (Acme Shoes)").getAttribute("aria-describedby")).toBeNull();
  });

  it("syncing shows progress and then each form's result; the next sync finds the leads unchanged", async () => {
    const backend = await readyToSync("f1", "f2");
    backend.pauseSync = true;
    render(<Connections />);
    await waitFor(() => expect(syncButton().disabled).toBe(false));
    await userEvent.click(syncButton());

    expect((await screen.findByTestId("sync-progress-text")).textContent).toBe("Test drive: 1 page, 12 leads");
    expect(syncButton().disabled).toBe(true);
    backend.pauseSync = false;
    act(() => backend.resume());

    const result = await screen.findByTestId("sync-result");
    expect(within(result).getByRole("heading").textContent).toBe("Sync finished");
    expect(screen.queryByTestId("sync-progress")).toBeNull();
    // Read from the screen each time: the next sync shows a result of its own.
    const row = (id: string) => cells(screen.getByTestId(`synced-${id}`).querySelector("tr")!);
    expect(row("f1")).toEqual(["Test drive", "Acme", "12", "0", "0", "0", "0", "1"]);
    expect(row("f2")).toEqual(["Instagram spring", "Acme", "3", "0", "0", "0", "0", "1"]);
    expect(within(result).queryByTestId("sync-problem")).toBeNull();
    expect(backend.leads.filter((l) => l.client === "Acme")).toHaveLength(15);
    // The forms read again: each says when it last synced.
    await waitFor(() => expect(within(screen.getByTestId("forms-table")).queryByText("never")).toBeNull());

    await userEvent.click(syncButton());
    await waitFor(() => expect(row("f1")).toEqual(["Test drive", "Acme", "0", "0", "12", "0", "0", "1"]));
    expect(backend.leads).toHaveLength(15);
  });

  it("syncing shows the leads a second since the sync began, across its forms, once a second has passed", async () => {
    // Only the clock is faked: the fake backend and testing-library wait on real timers.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-22T10:00:00Z"));
    const backend = await readyToSync("f1", "f2");
    backend.forms.find((f) => f.id === "f1")!.leads_count = 2465;
    backend.pauseSync = true;
    render(<Connections />);
    await waitFor(() => expect(syncButton().disabled).toBe(false));
    await userEvent.click(syncButton());
    const text = await screen.findByTestId("sync-progress-text");
    await waitFor(() => expect(text.textContent).toBe("Test drive: 5 pages, 2,465 leads"));

    // Two seconds on, the second form's 3 leads come: 2,468 leads in 2 seconds.
    vi.setSystemTime(new Date("2026-11-22T10:00:02Z"));
    act(() => backend.resume());
    await waitFor(() => expect(text.textContent).toBe("Instagram spring: 1 page, 3 leads · 1,234 leads/s"));

    backend.pauseSync = false;
    act(() => backend.resume());
    expect(await screen.findByTestId("sync-result")).toBeTruthy();
  });

  it("counts a form's leads once however it reports them, and gives no rate before a second has passed", () => {
    const start = began(0);
    const soon = paced(start, { form: "Test drive", pages: 1, leads: 500 }, 900);
    expect(leadsPerSecond(soon)).toBeNull();
    const first = paced(soon, { form: "Test drive", pages: 2, leads: 1000 }, 1000);
    expect(leadsPerSecond(first)).toBe(1000);
    // A form that stops early repeats its count; the next form, even of the same name, counts from zero again.
    const repeated = paced(first, { form: "Test drive", pages: 2, leads: 1000 }, 2000);
    expect(leadsPerSecond(repeated)).toBe(500);
    const next = paced(repeated, { form: "Test drive", pages: 1, leads: 5 }, 4000);
    expect(leadsPerSecond(next)).toBe(251.25);
    expect(rateInWords(1234.4)).toBe("1,234 leads/s");
    expect(rateInWords(2.46)).toBe("2.5 leads/s");
  });

  it("syncing one client's forms only", async () => {
    const backend = await readyToSync("f1");
    await api.clients.add("Globex");
    render(<Connections />);
    await choose(await screen.findByLabelText("Sync the forms of"), "Globex");
    expect(syncButton().disabled).toBe(true);
    expect(screen.getByTestId("sync-none").textContent).toContain("No form of Globex is chosen for sync.");

    await choose(screen.getByLabelText("Sync the forms of"), "Acme");
    await userEvent.click(syncButton());
    expect(await screen.findByTestId("synced-f1")).toBeTruthy();
    expect(backend.leads).toHaveLength(12);
  });

  it("cancelling a sync says so plainly and keeps what was read", async () => {
    const backend = await readyToSync("f1", "f2");
    backend.pauseSync = true;
    render(<Connections />);
    await waitFor(() => expect(syncButton().disabled).toBe(false));
    await userEvent.click(syncButton());
    await screen.findByText("Test drive: 1 page, 12 leads");

    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    const result = await screen.findByTestId("sync-result");
    expect(within(result).getByRole("heading").textContent).toBe("Sync cancelled");
    expect(screen.getByTestId("sync-cancelled").textContent).toBe(
      "The sync was cancelled. What it read before stopping is kept; the next sync goes on from there.",
    );
    expect(within(result).getByTestId("synced-f1")).toBeTruthy();
    expect(within(result).queryByTestId("synced-f2")).toBeNull();
    expect(backend.leads).toHaveLength(12);
    expect(syncButton().disabled).toBe(false);
  });

  it("a form that did not sync to the end shows why, in the backend's words", async () => {
    const backend = await readyToSync("f1", "f2");
    backend.meta.forms.p2 = [{ id: "f3", name: "Outlet autumn", status: "ACTIVE", leads_count: 4 }];
    backend.meta.syncProblems.f2 = "Meta is limiting calls (code 4); try again in 5 minutes.";
    await api.meta.refreshForms(null);
    await api.meta.setFormSync("f3", true);
    render(<Connections />);
    await waitFor(() => expect(syncButton().disabled).toBe(false));
    await userEvent.click(syncButton());

    const result = await screen.findByTestId("sync-result");
    const problem = (id: string) => within(within(result).getByTestId(`synced-${id}`)).queryByTestId("sync-problem")?.textContent;
    expect(problem("f1")).toBeUndefined();
    expect(problem("f2")).toBe("Did not sync to the end: Meta is limiting calls (code 4); try again in 5 minutes.");
    expect(problem("f3")).toBe("Did not sync to the end: its Page is not assigned to a client; assign it first");
    expect(cells(within(result).getByTestId("synced-f3").querySelector("tr")!).slice(0, 3)).toEqual(["Outlet autumn", "—", "0"]);
  });

  it("disconnecting a connection takes its Pages and their forms with it", async () => {
    await readyToSync();
    render(<Connections />);
    expect(await screen.findAllByTestId("page-row")).toHaveLength(2);
    await userEvent.click(screen.getByRole("button", { name: "Disconnect the SYSTEM_USER token" }));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Disconnect" }));
    expect(await screen.findByTestId("pages-empty")).toBeTruthy();
    expect(await screen.findByTestId("forms-empty")).toBeTruthy();
  });

  it("the backend syncs one job at a time and refuses a form not chosen for sync", async () => {
    const backend = await readyToSync("f1");
    const refusal = (e: unknown) => (e as CommandError).code;
    expect(await api.meta.sync(null, "f2", () => {}).catch(refusal)).toBe("invalid_input");
    expect(await api.meta.assignPage("p9", null).catch(refusal)).toBe("invalid_input");
    expect(await api.meta.assignPage("p1", "Nobody").catch(refusal)).toBe("not_found");

    backend.pauseSync = true;
    const seen: string[] = [];
    const first = api.meta.sync(null, "f1", (p) => seen.push(p.form));
    await waitFor(() => expect(seen).toEqual(["Test drive"]));
    expect(await api.meta.sync(null, null, () => {}).catch(refusal)).toBe("conflict");
    expect(await api.leads.cancelImport()).toBe(true);
    expect((await first).cancelled).toBe(true);
    expect(await api.leads.cancelImport()).toBe(false);
  });
});
