// Pixel sharing through the real app window, against the Graph API simulator running as a process
// of its own (the app reaches it through CUSTODIAN_GRAPH_URL): the agency's pixels read from Meta,
// one pixel's access reviewed, shared with a partner and revoked from another, each confirmed
// first, and both on the pixel's log, which the CLI reads on the same data.
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, startSimulator, TEST_CLOCK, type Harness } from "./harness";

let h: Harness;
let simulator: ChildProcess;
let sim: { url: string; token: string; appId: string };

beforeAll(async () => {
  // The simulator serves business 500100 with its own pixel 111 (shared with 700100 to analyse)
  // and client pixel 222; its tokens date from the tests' day.
  const started = await startSimulator("CUSTODIAN_GRAPH_SIM", ["--newest", String(Date.parse(TEST_CLOCK) / 1000)]);
  simulator = started.process;
  const [url = "", token = "", appId = ""] = started.words;
  sim = { url, token, appId };
  h = await startHarness({ CUSTODIAN_GRAPH_URL: sim.url });
});

afterAll(async () => {
  await h?.driver.stop();
  simulator?.kill();
});

type Operation = { operation: string; target: string | null; tasks: string | null; outcome: string };
type Pixel = { id: string; grants: { id: string; by_custodian: boolean }[] };

describe("pixels in the desktop app", () => {
  it("reads the pixels from Meta, reviews one's access, shares it and revokes it once confirmed, and logs both", async () => {
    h.cli("client", "add", "Acme", "--country", "GB");
    h.cli("meta", "app", "--app-id", sim.appId);
    h.cliWithInput(sim.token, "meta", "connect", "--token-stdin", "--client", "Acme");

    const s = await h.driver.launch(h.app);
    await s.click('[data-testid="nav-pixels"]');
    await s.waitFor('[data-testid="pixels-empty"]');
    await s.click('[data-testid="pixels-refresh"]');
    await s.waitFor('[data-testid="pixel-row"]', "Agency site", 30_000);
    await s.waitFor('[data-testid="pixel-row"]', "Acme shop");

    // WebKit's driver does not click a table row as such; a person clicks its first cell.
    await s.click('[data-testid="pixel-row"][data-pixel="111"] td:first-child', "Agency site");
    await s.waitFor('[data-testid="pixel-access-row"][data-grantee="700100"]', "found already there");

    await s.type('[data-testid="pixel-share-business"]', "701100");
    await s.click('[data-testid="pixel-share-tasks-ANALYZE"]');
    await s.click('[data-testid="pixel-share-submit"]');
    await s.waitFor('[data-testid="pixel-share-consequences"]', "Business 701100 would be able to ANALYZE on pixel 111");
    await s.click('[data-testid="confirm"]');
    await s.waitFor('[data-testid="pixel-access-row"][data-grantee="701100"]', "granted by Custodian", 30_000);

    await s.click('[data-testid="pixel-revoke-700100"]');
    await s.waitFor('[data-testid="pixel-revoke-consequences"]', "Business 700100 (now ANALYZE) would no longer reach pixel 111");
    await s.click('[data-testid="confirm"]');
    await s.absent('[data-testid="pixel-access-row"][data-grantee="700100"]', 30_000);

    await s.waitFor('[data-testid="pixel-log-row"]', "Revoked business 700100");
    await s.waitFor('[data-testid="pixel-log-row"]', "Shared with business 701100 (ANALYZE)");
    await s.screenshot(path.join(h.shots, "pixels.png"));
    await s.close();

    const log = JSON.parse(h.cli("pixel", "log", "111", "--json")) as Operation[];
    expect(log.slice(0, 2).map((o) => [o.operation, o.target, o.tasks, o.outcome])).toEqual([
      ["revoke", "business 700100", null, "done"],
      ["share", "business 701100", "ANALYZE", "done"],
    ]);
    expect(log.some((o) => o.operation === "list")).toBe(true);
    // Meta has it so too: read again, only the partner Custodian added can reach the pixel.
    const [pixel] = JSON.parse(h.cli("pixel", "access", "111", "--json")) as Pixel[];
    expect(pixel?.grants.map((g) => [g.id, g.by_custodian])).toEqual([["701100", true]]);
    expect(h.cli("audit", "list")).not.toContain(sim.token);
  });
});
