import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { api, CommandError } from "../../api";
import { installBackend, metaConnection, pixelSide } from "../../test-backend";
import { Pixels } from "./Pixels";
import { choose } from "../../test-choose";

const cells = (row: HTMLElement) => within(row).getAllByRole("cell").map((c) => c.textContent);
const pixelRows = () => screen.getAllByTestId("pixel-row").map(cells);
const accessRows = () => screen.getAllByTestId("pixel-access-row").map((r) => cells(r).slice(0, 4));
const logRows = () => screen.getAllByTestId("pixel-log-row").map((r) => cells(r).slice(1));
const local = (at: string) => new Date(at).toLocaleString();
const refusal = (e: unknown) => (e as CommandError).code;

/**
 * Acme's system-user token reaching the agency's business, whose own pixel 111 a partner may
 * analyse and to which a client shared pixel 222; `read` lists them here, as Read from Meta would.
 */
async function reached(read = true) {
  const backend = installBackend(["Acme", "Globex"]);
  const connection = metaConnection({ client: "Acme" });
  backend.connections.push(connection);
  backend.keychain.push(`meta-token/${connection.id}`);
  Object.assign(backend.meta, pixelSide());
  if (read) await api.pixels.list(null);
  return backend;
}

/** The screen with pixel 111 (Agency site) open. */
async function opened() {
  render(<Pixels />);
  const row = (await screen.findAllByTestId("pixel-row")).find((r) => r.textContent?.includes("Agency site"));
  await userEvent.click(row!);
  return within(await screen.findByTestId("pixel-detail"));
}

describe("Pixels", () => {
  it("opens on the pixels read last, with who can reach each, asking Meta nothing", async () => {
    const backend = await reached();
    // Meta has moved on since: the screen shows what was read, until it is read again.
    backend.meta.pixels = [];
    const logged = backend.pixelLog.length;
    render(<Pixels />);
    await screen.findAllByTestId("pixel-row");
    expect(pixelRows()).toEqual([
      ["Acme shop", "222", "Client's, shared with the agency", "500100", "Acme", "never", "1 business, 0 ad accounts"],
      ["Agency site", "111", "Own pixel", "500100", "Acme", local("2026-11-22T08:00:00Z"), "1 business, 0 ad accounts"],
    ]);
    expect(backend.pixelLog).toHaveLength(logged);
    expect(screen.queryByTestId("pixel-detail")).toBeNull();
  });

  it("says where pixels come from when none was read, and reads them from Meta from there", async () => {
    const backend = await reached(false);
    render(<Pixels />);
    const empty = await screen.findByTestId("pixels-empty");
    expect(within(empty).getByRole("heading").textContent).toBe("No pixels yet");
    expect(empty.textContent).toContain("Pixels come from the businesses the Meta connections reach");
    await userEvent.click(within(empty).getByRole("button", { name: "Read from Meta" }));
    await waitFor(() => expect(pixelRows().map((r) => r[1])).toEqual(["222", "111"]));
    expect(screen.getByText("Read 2 pixels from Meta.")).toBeTruthy();
    expect(backend.pixelLog.map((o) => [o.pixel_id, o.operation, o.answer])).toEqual([
      ["111", "list", "1 business and 0 ad accounts can reach it"],
      ["222", "list", "1 business and 0 ad accounts can reach it"],
    ]);
  });

  it("reads one client's pixels from Meta, and says what to do for a client with no connection", async () => {
    await reached(false);
    render(<Pixels />);
    await screen.findByTestId("pixels-empty");
    await screen.findByRole("option", { name: "Globex" });
    await choose(screen.getByLabelText("Client"), "Globex");
    expect(within(await screen.findByTestId("pixels-empty")).getByRole("heading").textContent).toBe("No pixel of Globex yet");
    await userEvent.click(screen.getByTestId("pixels-refresh"));
    const alert = await screen.findByRole("alert");
    expect(alert.getAttribute("data-code")).toBe("invalid_input");
    expect(alert.textContent).toBe("Client Globex has no Meta connection: connect a system-user token of its business.");

    await choose(screen.getByLabelText("Client"), "Acme");
    await userEvent.click(screen.getByTestId("pixels-refresh"));
    await waitFor(() => expect(pixelRows().map((r) => r[4])).toEqual(["Acme", "Acme"]));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("reviews who can reach a pixel opened from the keyboard, found there or granted by Custodian, and reads it again from Meta", async () => {
    const backend = await reached();
    render(<Pixels />);
    const [first] = await screen.findAllByTestId("pixel-row");
    first!.focus();
    await userEvent.keyboard("{ArrowDown}{Enter}");
    const detail = within(await screen.findByTestId("pixel-detail"));
    expect(detail.getByRole("heading", { level: 2 }).textContent).toBe("Agency site 111");
    const found = backend.pixels.find((p) => p.id === "111")!.grants[0]!.granted_at;
    expect(accessRows()).toEqual([["Business 700100", "ANALYZE", `since ${local(found)}`, "found already there"]]);

    // Someone at Meta gives an ad account and another partner access.
    backend.meta.pixels[0]!.grantees.push({ kind: "ad_account", id: "act_900", tasks: [] }, { kind: "business", id: "700200", tasks: ["UPLOAD"] });
    await userEvent.click(detail.getByTestId("pixel-access-refresh"));
    await waitFor(() => expect(accessRows()).toHaveLength(3));
    expect(accessRows().map((r) => [r[0], r[1], r[3]])).toEqual([
      ["Ad account act_900", "—", "found already there"],
      ["Business 700100", "ANALYZE", "found already there"],
      ["Business 700200", "UPLOAD", "found already there"],
    ]);
    // The first sight of 700100 is kept; the table counts the new ones.
    expect(accessRows()[1]?.[2]).toBe(`since ${local(found)}`);
    expect(cells(screen.getAllByTestId("pixel-row")[1]!)[6]).toBe("2 businesses, 1 ad account");
    await waitFor(() => expect(logRows()[0]).toEqual(["ada", "Read from Meta", "done", "2 businesses and 1 ad account"]));
  });

  it("shares with a partner business once the backend's account of the change is confirmed, and shows the grant as Custodian's", async () => {
    const backend = await reached();
    const detail = await opened();
    await userEvent.type(detail.getByLabelText("Partner business id"), "701100");
    const submit = detail.getByTestId("pixel-share-submit") as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    await userEvent.click(detail.getByLabelText("ANALYZE"));
    await userEvent.click(submit);

    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByTestId("pixel-share-consequences").textContent).toBe(
      "Business 701100 would be able to ANALYZE on pixel 111 (Agency site); it now has no access. Confirm to share.",
    );
    expect(backend.meta.pixels[0]!.grantees.map((g) => g.id)).toEqual(["700100"]);
    await userEvent.click(within(dialog).getByTestId("confirm"));

    await waitFor(() => expect(accessRows()).toHaveLength(2));
    const granted = backend.pixels.find((p) => p.id === "111")!.grants.find((g) => g.id === "701100")!;
    expect(accessRows()[1]).toEqual(["Business 701100", "ANALYZE", `since ${local(granted.granted_at)}`, "granted by Custodian"]);
    expect(screen.getByText("Shared Agency site with business 701100: it may ANALYZE.")).toBeTruthy();
    expect((detail.getByLabelText("Partner business id") as HTMLInputElement).value).toBe("");
    await waitFor(() => expect(logRows()[0]).toEqual(["ada", "Shared with business 701100 (ANALYZE)", "done", "done"]));
    expect(backend.meta.pixels[0]!.grantees.map((g) => [g.id, g.tasks])).toEqual([["700100", ["ANALYZE"]], ["701100", ["ANALYZE"]]]);
  });

  it("shares nothing when the confirmation is cancelled", async () => {
    const backend = await reached();
    const detail = await opened();
    await userEvent.type(detail.getByLabelText("Partner business id"), "701100");
    await userEvent.click(detail.getByLabelText("UPLOAD"));
    await userEvent.click(detail.getByTestId("pixel-share-submit"));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(backend.meta.pixels[0]!.grantees.map((g) => g.id)).toEqual(["700100"]);
    expect(backend.pixelLog.some((o) => o.operation === "share")).toBe(false);
  });

  it("shows Meta's refusal of a share, which the log keeps as refused", async () => {
    const backend = await reached();
    backend.meta.refusedShares["701100"] = "(#100) The business does not exist";
    const detail = await opened();
    await userEvent.type(detail.getByLabelText("Partner business id"), "701100");
    await userEvent.click(detail.getByLabelText("ADVERTISE"));
    await userEvent.click(detail.getByTestId("pixel-share-submit"));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByTestId("confirm"));

    const alert = await within(screen.getByTestId("pixel-share")).findByRole("alert");
    expect(alert.getAttribute("data-code")).toBe("remote_refused");
    expect(alert.textContent).toBe("Meta refused the call (code 100): (#100) The business does not exist");
    expect(accessRows().map((r) => r[0])).toEqual(["Business 700100"]);
    await waitFor(() => expect(logRows()[0]?.slice(1, 3)).toEqual(["Shared with business 701100 (ADVERTISE)", "refused"]));
    expect(backend.pixels.find((p) => p.id === "111")!.grants.map((g) => g.id)).toEqual(["700100"]);
  });

  it("shares with an ad account for a business", async () => {
    const backend = await reached();
    const detail = await opened();
    await userEvent.type(detail.getByLabelText("Ad account"), "900");
    await userEvent.type(detail.getByLabelText("Business asking for it"), "500100");
    await userEvent.click(detail.getByTestId("pixel-share-account-submit"));
    await waitFor(() => expect(accessRows().map((r) => [r[0], r[3]])).toContainEqual(["Ad account act_900", "granted by Custodian"]));
    expect(screen.getByText("Shared Agency site with ad account act_900.")).toBeTruthy();
    expect(backend.meta.pixels[0]!.grantees).toContainEqual({ kind: "ad_account", id: "act_900", tasks: [] });
  });

  it("revokes a partner's access once the backend's account of the change is confirmed", async () => {
    const backend = await reached();
    const detail = await opened();
    await userEvent.click(detail.getByRole("button", { name: "Revoke Business 700100's access to Agency site" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByTestId("pixel-revoke-consequences").textContent).toBe(
      "Business 700100 (now ANALYZE) would no longer reach pixel 111 (Agency site). Confirm to revoke.",
    );
    expect(backend.meta.pixels[0]!.grantees).toHaveLength(1);
    await userEvent.click(within(dialog).getByTestId("confirm"));

    expect((await screen.findByTestId("pixel-access-empty")).textContent).toBe("No other business or ad account can reach this pixel.");
    expect(screen.getByText("Business 700100 no longer reaches Agency site.")).toBeTruthy();
    expect(backend.meta.pixels[0]!.grantees).toEqual([]);
    await waitFor(() => expect(logRows()[0]).toEqual(["ada", "Revoked business 700100", "done", "done"]));
    expect(cells(screen.getAllByTestId("pixel-row")[1]!)[6]).toBe("0 businesses, 0 ad accounts");
  });

  it("a bulk file's dry run says what each row would do and changes nothing; Apply does it", async () => {
    const backend = await reached();
    backend.texts["/home/ada/pixels.csv"] = [
      "pixel,business,tasks",
      '111,701100,"ANALYZE,UPLOAD"',
      "111,700100,",
      "111,partner,ANALYZE",
      '222,500100,"upload,analyze"',
      "",
    ].join("\n");
    backend.openAs = "/home/ada/pixels.csv";
    const logged = backend.pixelLog.length;
    render(<Pixels />);
    await userEvent.click(await screen.findByTestId("pixel-bulk-open"));
    const dialog = within(await screen.findByRole("dialog"));
    expect(dialog.getByText("pixel,business,tasks")).toBeTruthy();
    await userEvent.click(dialog.getByTestId("pixel-bulk-choose"));

    await waitFor(() => expect(dialog.getAllByTestId("pixel-bulk-row")).toHaveLength(4));
    expect(dialog.getAllByTestId("pixel-bulk-row").map(cells)).toEqual([
      ["2", "111", "701100", "ANALYZE, UPLOAD", "share", "would change", ""],
      ["3", "111", "700100", "none: revoke", "revoke", "would change", "now ANALYZE"],
      ["4", "111", "partner", "none: revoke", "not valid", "—", "'partner' is not a business id"],
      ["5", "222", "500100", "UPLOAD, ANALYZE", "nothing to do", "—", "it has these tasks already"],
    ]);
    expect(dialog.getByTestId("pixel-bulk-summary").textContent).toBe(
      "A dry run: nothing was changed. 2 rows would change; 1 row is not valid and would be left out.",
    );
    expect(backend.meta.pixels[0]!.grantees.map((g) => g.id)).toEqual(["700100"]);
    expect(backend.pixelLog).toHaveLength(logged);

    await userEvent.click(dialog.getByRole("button", { name: "Apply 2 changes" }));
    await waitFor(() => expect(dialog.getByTestId("pixel-bulk-summary").textContent).toBe("Applied: 2 changes done, 1 row not valid."));
    expect(dialog.getAllByTestId("pixel-bulk-row").map((r) => cells(r)[5])).toEqual(["done", "done", "—", "—"]);
    expect(backend.meta.pixels[0]!.grantees).toEqual([{ kind: "business", id: "701100", tasks: ["ANALYZE", "UPLOAD"] }]);
    expect(dialog.queryByTestId("pixel-bulk-apply")).toBeNull();

    await userEvent.click(dialog.getByRole("button", { name: "Close" }));
    const detail = await opened();
    expect(accessRows().map((r) => [r[0], r[3]])).toEqual([["Business 701100", "granted by Custodian"]]);
    await waitFor(() => expect(detail.getAllByTestId("pixel-log-row")).toHaveLength(3));
    expect(logRows().slice(0, 2).map((r) => r[1])).toEqual(["Revoked business 700100", "Shared with business 701100 (ANALYZE, UPLOAD)"]);
  });

  it("a bulk file without the header says what it must be", async () => {
    const backend = await reached();
    backend.texts["/home/ada/wrong.csv"] = "id,partner\n111,701100\n";
    backend.openAs = "/home/ada/wrong.csv";
    render(<Pixels />);
    await userEvent.click(await screen.findByTestId("pixel-bulk-open"));
    const dialog = within(await screen.findByRole("dialog"));
    await userEvent.click(dialog.getByTestId("pixel-bulk-choose"));
    expect((await dialog.findByRole("alert")).textContent).toBe("The file's header must be pixel,business,tasks.");
    expect(dialog.queryByTestId("pixel-bulk-apply")).toBeNull();
  });

  it("creates a pixel on an ad account, and explains Meta's answer when its business has one already", async () => {
    const backend = await reached();
    render(<Pixels />);
    await userEvent.click(await screen.findByTestId("pixel-create-open"));
    const dialog = within(await screen.findByRole("dialog"));
    await userEvent.type(dialog.getByLabelText("Ad account"), "act_901");
    await userEvent.type(dialog.getByLabelText("Name"), "Agency checkout");
    await userEvent.click(dialog.getByTestId("pixel-create-submit"));
    const alert = await dialog.findByRole("alert");
    expect(alert.getAttribute("data-code")).toBe("conflict");
    expect(alert.textContent).toBe(
      "Meta says a pixel already exists for ad account act_901 (error 6200): its business has the one pixel Meta allows it to make this way. Use that pixel, and share it where it is needed.",
    );
    expect(backend.meta.pixels).toHaveLength(2);

    await userEvent.clear(dialog.getByLabelText("Ad account"));
    await userEvent.type(dialog.getByLabelText("Ad account"), "act_900");
    await userEvent.click(dialog.getByTestId("pixel-create-submit"));
    expect(await screen.findByText("Made pixel 770000000000003 on act_900. Read from Meta to list it with who can reach it.")).toBeTruthy();
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(backend.meta.pixels[2]).toMatchObject({ id: "770000000000003", name: "Agency checkout", business_id: "800100" });
    expect(backend.pixelLog.slice(-2).map((o) => [o.operation, o.target, o.outcome])).toEqual([
      ["create", "act_901", "refused"],
      ["create", "act_900", "done"],
    ]);
  });

  it("the backend shares and revokes nothing unconfirmed", async () => {
    const backend = await reached();
    expect(await api.pixels.share("111", "701100", ["ANALYZE"], false).catch(refusal)).toBe("confirmation_required");
    expect(await api.pixels.revoke("111", "business", "700100", false).catch(refusal)).toBe("confirmation_required");
    expect(await api.pixels.revoke("111", "business", "701100", true).catch(refusal)).toBe("invalid_input");
    expect(await api.pixels.share("333", "701100", ["ANALYZE"], true).catch(refusal)).toBe("invalid_input");
    expect(backend.meta.pixels[0]!.grantees.map((g) => g.id)).toEqual(["700100"]);
    expect(backend.pixelLog.every((o) => o.operation === "list")).toBe(true);
  });
});
