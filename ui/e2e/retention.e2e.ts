// Retention through the real app window: the purge at start-up removes what is past its period,
// the screen shows what is held and due, a policy change makes more due, and a purge by hand asks
// first and hands back a receipt. The CLI then confirms it all on the same data.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(() => h?.driver.stop());

function leadsFile(name: string, ids: number[]): string {
  const header = ["id", "created_time", "form_id", "form_name", "is_organic", "platform", "full_name", "email", "lead_status"];
  const rows = ids.map((i) => [`l:${i}`, "2026-07-16T10:00:00+00:00", "f:5", "Test drive", "false", "fb", `Person ${i}`, `p${i}@example.com`, "CREATED"]);
  const file = path.join(h.dataDir, "..", `${name}-${Date.now()}.csv`);
  writeFileSync(file, [header, ...rows].map((r) => r.join(",")).join("\n") + "\n");
  return file;
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 150; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("retention in the desktop app", () => {
  it("purges at start-up, shows what is held and due, and purges by hand with a receipt", async () => {
    h.cli("client", "add", "Acme Shoes");
    h.cli("client", "add", "Beta Boots");
    h.cli("import", leadsFile("acme", [4001, 4002, 4003]), "--client", "Acme Shoes");
    h.cli("import", leadsFile("beta", [5001, 5002]), "--client", "Beta Boots");
    h.cli("retention", "set", "--kind", "leads", "--days", "3650", "--client", "Beta Boots", "--reason", "Beta agreement, clause 4");

    const s = await h.driver.launch(h.app);
    // Acme's July leads are past the 90-day default: the app purges them as it starts.
    await until(() => h.cli("audit", "list").includes("retention.purge"), "the start-up purge");
    await s.click('[data-testid="nav-retention"]');
    await s.waitFor('[data-testid="purge-schedule"]', "(scheduled): 3 records");
    await s.waitFor('[data-testid="retention-leads-Acme Shoes"]', "90 days");
    await s.waitFor('[data-testid="retention-leads-Beta Boots"]', "3650 days (own)");

    // A shorter period for Beta makes its two leads due; the purge asks, then hands back a receipt.
    await s.click('[data-testid="edit-policy-leads-Beta Boots"]');
    await s.type('[data-testid="policy-days"]', "\uE003\uE003\uE003\uE003" + "30");
    await s.type('[data-testid="policy-reason"]', "Beta agreement ended");
    await s.click('[data-testid="policy-save"]');
    await s.waitFor('[data-testid="retention-leads-Beta Boots"]', "30 days (own)");
    await s.screenshot(path.join(h.shots, "retention.png"));
    await s.click('[data-testid="purge-now"]');
    await s.waitFor('[role="alertdialog"]', "2 leads of Beta Boots (kept 30 days)");
    await s.click('[data-testid="confirm"]');
    await s.waitFor('[data-testid="purge-receipt"]', "Purged 2 leads of Beta Boots");

    await s.click('[data-testid="nav-dashboard"]');
    await s.waitFor('[data-testid="next-purge"]', "0");
    await s.close();

    expect(JSON.parse(h.cli("leads", "list", "--json")) as unknown[]).toEqual([]);
    const audit = h.cli("audit", "list");
    expect(audit).toMatch(/purged 3 leads of client:\S+ "Acme Shoes", kept 90 days/);
    expect(audit).toMatch(/purged 2 leads of client:\S+ "Beta Boots", kept 30 days/);
    expect(audit).toContain("because Beta agreement ended");
    expect(h.cli("audit", "verify")).toContain("Audit trail intact");
  });
});
