// A client's CRM through the real app window, against the CRM simulator running as a process of its
// own: a HubSpot connection by token, a mapping made in the editor from a suggestion with the live
// preview showing the exact body, a push, and the push log; the CLI sees the same on the same data.
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, startSimulator, type Harness } from "./harness";

let h: Harness;
let simulator: ChildProcess;
let sim: { url: string; token: string };

/** Three leads of form 5, as a CSV export, from the days before the tests' day (older ones would be
 * purged as the app starts). */
function writeExport(file: string) {
  const header = ["id", "created_time", "form_id", "form_name", "platform", "full_name", "email", "phone_number", "lead_status"];
  const rows = [
    ["l:3001", "2026-11-20T00:12:13+03:00", "f:5", "Test drive", "fb", "Ann Lee", "Ann@Example.com", "p:+447911123456", "CREATED"],
    ["l:3002", "2026-11-21T09:00:00+01:00", "f:5", "Test drive", "ig", "Zoë Ørsted", "zoe@example.org", "p:07700 900123", "CREATED"],
    ["l:3003", "2026-11-22T10:30:00+0000", "f:5", "Test drive", "fb", "Bob Stone", "bob@example.net", "p:+15551234567", "CREATED"],
  ];
  writeFileSync(file, [header, ...rows].map((r) => r.join(",")).join("\n") + "\n");
}

beforeAll(async () => {
  const started = await startSimulator("CUSTODIAN_CRM_SIM", []);
  simulator = started.process;
  const [url = "", token = ""] = started.words;
  sim = { url, token };
  h = await startHarness();
});

afterAll(async () => {
  await h?.driver.stop();
  simulator?.kill();
});

describe("a client's CRM in the desktop app", () => {
  it("connects HubSpot, maps a form with a live preview, pushes, and logs what was sent", async () => {
    h.cli("client", "add", "Acme Shoes", "--country", "GB");
    const file = path.join(h.dataDir, "..", `crm-leads-${Date.now()}.csv`);
    writeExport(file);
    h.cli("import", file, "--client", "Acme Shoes");

    const s = await h.driver.launch(h.app);
    await s.click('[data-testid="nav-connections"]');
    await s.waitFor('[data-testid="crm-empty"]');
    await s.select('[data-testid="crm-connect-crm"]', "hubspot");
    await s.select('[data-testid="crm-connect-client"]', "Acme Shoes");
    await s.type('[data-testid="crm-connect-token"]', sim.token);
    await s.type('[data-testid="crm-connect-url"]', sim.url);
    await s.click('[data-testid="crm-connect-submit"]');
    await s.waitFor('[data-testid="crm-row"]', "Acme Shoes");
    const inWindow = await s.evaluate<boolean>(
      "const t = arguments[0]; return document.documentElement.outerHTML.includes(t) || " +
        "[...document.querySelectorAll('input, textarea')].some((e) => e.value.includes(t));",
      sim.token,
    );
    expect(inWindow).toBe(false);

    await s.click('[data-testid="crm-map"]');
    await s.select('[data-testid="crm-map-form"]', "5");
    await s.waitFor('[data-testid="crm-map-fields"]', "firstname");
    await s.click('[data-testid="crm-map-suggest"]');
    // The preview is the exact body HubSpot gets for the form's newest lead.
    await s.waitFor('[data-testid="crm-preview-body"]', "bob@example.net");
    await s.waitFor('[data-testid="crm-preview-body"]', '"idProperty": "email"');
    await s.screenshot(path.join(h.shots, "crm-mapping.png"));
    await s.click('[data-testid="crm-map-save"]');
    await s.waitFor('[data-testid="crm-map-saved"]', "version 1");
    await s.click('[data-testid="crm-map-editor"] button', "Close");

    await s.click('[data-testid="crm-push"]');
    await s.waitFor('[data-testid="push-created"]', "3", 30_000);
    await s.screenshot(path.join(h.shots, "crm-push.png"));

    await s.click('[data-testid="nav-push-log"]');
    await s.waitFor('[data-testid="push-row"]', "HubSpot");
    await s.close();

    const log = JSON.parse(h.cli("crm", "log", "--json")) as { results: { status: string }[] };
    expect(log.results.map((r) => r.status)).toEqual(["created", "created", "created"]);
    const again = JSON.parse(h.cli("crm", "push", "--client", "Acme Shoes", "--json")) as {
      pushes: { counts: { unchanged: number; created: number } }[];
    };
    expect(again.pushes[0]?.counts).toMatchObject({ created: 0, unchanged: 3 });
    expect(h.cli("audit", "list")).not.toContain(sim.token);
  });
});
