// Connecting Meta through the real app window, against the Graph API simulator running as a process
// of its own (the app reaches it through CUSTODIAN_GRAPH_URL and CUSTODIAN_FACEBOOK_URL): Facebook
// Login in its own window, a system-user token, a Page assigned to a client, a sync, and the synced
// leads on the Leads screen.
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, startSimulator, TEST_CLOCK, type Harness } from "./harness";

let h: Harness;
let simulator: ChildProcess;
let sim: { url: string; token: string; appId: string };

beforeAll(async () => {
  // Three leads on form f1 of Page p1; the simulator's leads and tokens date from the tests' day.
  const now = String(Date.parse(TEST_CLOCK) / 1000);
  const started = await startSimulator("CUSTODIAN_GRAPH_SIM", ["--leads", "3", "--newest", now]);
  simulator = started.process;
  const [url = "", token = "", appId = ""] = started.words;
  sim = { url, token, appId };
  h = await startHarness({ CUSTODIAN_GRAPH_URL: sim.url, CUSTODIAN_FACEBOOK_URL: sim.url });
});

afterAll(async () => {
  await h?.driver.stop();
  simulator?.kill();
});

describe("connecting Meta in the desktop app", () => {
  it("logs in with Facebook in a window of its own, the redirect caught before it loads", async () => {
    h.cli("client", "add", "Acme Shoes", "--country", "GB");
    const s = await h.driver.launch(h.app);
    await s.click('[data-testid="nav-connections"]');
    await s.waitFor('[data-testid="connections-empty"]');
    await s.type('[data-testid="meta-app-id"]', sim.appId);
    await s.click('[data-testid="meta-app-save"]');
    await s.waitFor('form[aria-label="Meta app settings"]', "Saved the Meta app's settings");
    // Without the app secret the dialog hands back a short-lived token, in the redirect's fragment.
    await s.click('[data-testid="meta-login"]');
    await s.waitFor('[data-testid="meta-login-connected"]', "USER", 30_000);
    await s.waitFor('[data-testid="meta-login-short-lived"]');
    await s.waitFor('[data-testid="connection-row"]', "USER");
    await s.screenshot(path.join(h.shots, "connections-login.png"));
    await s.close();

    const status = JSON.parse(h.cli("meta", "status", "--json")) as { token_type: string }[];
    expect(status.map((c) => c.token_type)).toEqual(["USER"]);
    expect(JSON.stringify(status)).not.toContain("EAAG");
  });

  it("adds a system-user token, assigns the Page, syncs, and the leads are on the Leads screen", async () => {
    const s = await h.driver.launch(h.app);
    await s.click('[data-testid="nav-connections"]');
    // The screen has read what it shows (the connection the login made) before anything is clicked.
    await s.waitFor('[data-testid="connection-row"]', "USER");
    await s.click('[data-testid="add-token-open"]');
    await s.type('[data-testid="meta-token"]', sim.token);
    await s.select('[data-testid="meta-token-client"]', "Acme Shoes");
    await s.click('[data-testid="meta-connect"]');
    await s.waitFor('[data-testid="connection-row"]', "SYSTEM_USER");

    // The token is in the keychain now, and nowhere in the window: not in its text, its markup or
    // any field's value.
    const inWindow = await s.evaluate<boolean>(
      "const t = arguments[0]; return document.documentElement.outerHTML.includes(t) || " +
        "[...document.querySelectorAll('input, textarea')].some((e) => e.value.includes(t));",
      sim.token,
    );
    expect(inWindow).toBe(false);

    await s.click('[data-testid="refresh-pages"]');
    await s.waitFor('[data-testid="page-row"]', "Acme Shoes");
    await s.select('[data-testid="page-client-p1"]', "Acme Shoes");
    await s.click('[data-testid="refresh-forms"]');
    await s.waitFor('[data-testid="form-row"]', "Test drive");
    await s.click('[data-testid="form-sync-f1"]');
    await s.waitFor('[data-testid="meta-forms"]', "Test drive will sync.");
    await s.click('[data-testid="sync-now"]');
    // Test drive, Acme Shoes, then the figures: 3 new, 0 updated, unchanged, suppressed, rejected; 1 page.
    await s.waitFor('[data-testid="sync-result-table"]', "Test driveAcme Shoes300001", 30_000).catch(async (e) => {
      await s.screenshot(path.join(h.shots, "debug-sync.png"));
      throw e;
    });
    await s.screenshot(path.join(h.shots, "connections.png"));

    await s.click('[data-testid="nav-leads"]');
    await s.waitFor('[data-testid="lead-count"]', "3 leads");
    await s.waitFor('[data-testid="lead-row"]', "Person 2");
    await s.close();

    const leads = JSON.parse(h.cli("leads", "list", "--json")) as unknown[];
    expect(leads).toHaveLength(3);
    expect(h.cli("audit", "list")).not.toContain(sim.token);
  });
});
