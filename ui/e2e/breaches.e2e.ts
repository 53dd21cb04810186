// The breach register in the real app: a breach recorded in the window counts its 72 hours from
// when the agency became aware, shows on the Dashboard's clock, and is the CLI's too.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  h.cli("client", "add", "Acme Shoes");
});

afterAll(() => h?.driver.stop());

describe("breaches in the desktop app", () => {
  it("a breach recorded in the window counts down its deadline there, on the Dashboard and for the CLI", async () => {
    const s = await h.driver.launch(h.app);
    await s.waitFor("h1", "Dashboard");
    await s.waitFor('[data-testid="breaches-open"]', "0");
    await s.click('[data-testid="nav-breaches"]');
    await s.waitFor('[data-testid="no-breaches"]', "72 hours");
    await s.click('[data-testid="new-breach"]');
    // The app's clock starts at 2026-11-23T09:00Z and runs: aware 60 hours before, not quite 12 are left.
    await s.clear('[data-testid="breach-aware-at"]');
    await s.type('[data-testid="breach-aware-at"]', "2026-11-20T22:00+01:00");
    await s.type('[data-testid="breach-summary"]', "A lead export was emailed to the wrong client");
    await s.click('[data-testid="breach-save"]');
    await s.waitFor('[data-testid="breach-clock"]', "11 h 5");
    await s.waitFor('[data-testid="breach-clock"]', "min left to tell the authority");
    await s.waitFor('[data-testid="clock-1"].near');
    await s.evaluate("document.querySelector('h1').scrollIntoView();");
    await s.screenshot(path.join(h.shots, "breaches.png"));
    await s.type('[data-testid="breach-consequences"]', "Unwanted marketing to the people in the file");
    await s.click('[data-testid="breach-details-save"]');
    await s.click('[data-testid="breach-draft-authority"]');
    await s.waitFor('[data-testid="breach-missing"]', "the measures taken or proposed");
    await s.screenshot(path.join(h.shots, "breach-notice.png"));

    await s.click('[data-testid="nav-dashboard"]');
    await s.waitFor('[data-testid="breach-card-clock"]', "Breach 1: 11 h 5");
    await s.close();

    const listed = JSON.parse(h.cli("breach", "list", "--json")) as { id: number; standing: string; details: { consequences: string } }[];
    expect(listed.map((b) => [b.id, b.standing, b.details.consequences])).toEqual([
      [1, "near", "Unwanted marketing to the people in the file"],
    ]);
  });
});
