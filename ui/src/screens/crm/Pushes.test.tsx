import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { api, CommandError } from "../../api";
import { installBackend, lead } from "../../test-backend";
import { Pushes } from "./Pushes";
import { choose } from "../../test-choose";

const cells = (row: HTMLElement) => within(row).getAllByRole("cell").map((c) => c.textContent);
const pushRows = () => screen.getAllByTestId("push-row").map((r) => cells(r).slice(2, 10));
const resultRows = () => screen.getAllByTestId("push-result-row").map((r) => cells(r));

/**
 * Acme's leads pushed to HubSpot (Bob's refused by it) and Globex's to Pipedrive, each with its
 * suggested mapping kept.
 */
async function pushedTwice() {
  const backend = installBackend(["Acme", "Globex"]);
  backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"), lead(3, "Dee Dane", "Globex"));
  backend.crm.refusedLeads[2] = "HubSpot refused the call (HTTP 400): Property values were not valid";
  for (const [crm, client] of [["hubspot", "Acme"], ["pipedrive", "Globex"]] as const) {
    const c = await api.crm.connect(crm, client, "pat-na1-123", null);
    await api.crm.setMapping(client, "4", c.id, await api.crm.suggest(client, "4", c.id));
  }
  await api.crm.push(null, null, () => {});
  return backend;
}

describe("Push log", () => {
  it("says nothing has been pushed yet", async () => {
    installBackend(["Acme"]);
    render(<Pushes />);
    expect(within(await screen.findByTestId("push-log-empty")).getByRole("heading").textContent).toBe("Nothing has been pushed yet.");
  });

  it("lists the pushes newest first and what became of each lead, in the CRM's words when it failed", async () => {
    await pushedTwice();
    render(<Pushes />);
    await screen.findAllByTestId("push-row");
    // CRM, client, created, updated, unchanged, withheld, not mapped, failed.
    expect(pushRows()).toEqual([
      ["Pipedrive", "Globex", "1", "0", "0", "0", "0", "0"],
      ["HubSpot", "Acme", "1", "0", "0", "0", "0", "1"],
    ]);
    expect(screen.getAllByTestId("push-row").map((r) => cells(r).at(-1))).toEqual([
      `finished ${new Date("2026-11-22T11:02:30Z").toLocaleString()}`,
      `finished ${new Date("2026-11-22T11:01:30Z").toLocaleString()}`,
    ]);
    expect(resultRows()).toEqual([
      ["2", "3", "Pipedrive", "Globex", "created", ""],
      ["1", "1", "HubSpot", "Acme", "created", ""],
      ["1", "2", "HubSpot", "Acme", "failed", "HubSpot refused the call (HTTP 400): Property values were not valid"],
    ]);
  });

  it("narrows by client, CRM and result, and clears the filters", async () => {
    await pushedTwice();
    render(<Pushes />);
    await screen.findAllByTestId("push-row");

    await choose(screen.getByLabelText("Result"), "Failed");
    await waitFor(() => expect(resultRows()).toHaveLength(1));
    expect(resultRows()[0]?.slice(1, 5)).toEqual(["2", "HubSpot", "Acme", "failed"]);
    // The pushes themselves are not narrowed by what became of single leads.
    expect(pushRows()).toHaveLength(2);

    await choose(screen.getByLabelText("CRM"), "Pipedrive");
    await waitFor(() => expect(pushRows()).toEqual([["Pipedrive", "Globex", "1", "0", "0", "0", "0", "0"]]));
    expect(screen.getByTestId("push-results-empty").textContent).toBe("No lead result matches these filters.");

    await choose(screen.getByLabelText("CRM"), "All CRMs");
    await choose(screen.getByLabelText("Result"), "All results");
    await choose(screen.getByLabelText("Client"), "Acme");
    await waitFor(() => expect(pushRows()).toEqual([["HubSpot", "Acme", "1", "0", "0", "0", "0", "1"]]));
    expect(resultRows().map((r) => r[1])).toEqual(["1", "2"]);

    await choose(screen.getByLabelText("CRM"), "Salesforce");
    expect(within(await screen.findByTestId("push-log-empty")).getByRole("heading").textContent).toBe("Nothing matches");

    await userEvent.click(screen.getByRole("button", { name: "Clear" }));
    await waitFor(() => expect(pushRows()).toHaveLength(2));
    expect(resultRows()).toHaveLength(3);
  });

  it("shows why a push stopped before the end", async () => {
    const backend = await pushedTwice();
    backend.pauseCrmPush = true;
    const pushing = api.crm.push("Acme", null, () => {});
    await waitFor(() => expect(backend.pushes).toHaveLength(3));
    await api.leads.cancelImport();
    await pushing;
    render(<Pushes />);
    await screen.findAllByTestId("push-row");
    expect(cells(screen.getAllByTestId("push-row")[0]!).at(-1)).toBe("stopped: cancelled");
  });

  it("the backend refuses a result it does not know", async () => {
    installBackend();
    const refused = await api.crm.log(null, null, "sent" as "created", 10).catch((e: unknown) => e as CommandError);
    expect((refused as CommandError).code).toBe("invalid_input");
  });
});
