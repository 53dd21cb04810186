// Importing a lead export through the real app window, finding a person, opening their lead.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness";

const ENTER = "\uE007";
let h: Harness;

/** A small export as Meta writes it: UTF-16 LE with a BOM, TAB-separated, CRLF, type prefixes. */
function writeExport(file: string) {
  const header = ["id", "created_time", "ad_id", "ad_name", "campaign_id", "campaign_name", "form_id", "form_name", "is_organic", "platform", "what_is_your_budget?", "full_name", "email", "phone_number", "lead_status"];
  const rows = [
    ["l:2001", "2026-07-16T00:12:13+03:00", "ag:1", "Video", "c:9", "Spring", "f:5", "Test drive", "false", "fb", "under_1000", "Ann Lee", "ann@example.com", "p:+447911123456", "CREATED"],
    ["l:2002", "2026-07-17T09:00:00+01:00", "ag:1", "Video", "c:9", "Spring", "f:5", "Test drive", "false", "ig", "over_20000", "Zoë Ørsted", "zoe@example.org", "p:07700 900123", "CREATED"],
    ["l:2003", "2026-07-18T10:30:00+0000", "ag:2", "Carousel", "c:9", "Spring", "f:5", "Test drive", "true", "fb", "1000_to_5000", "Bob Stone", "bob@example.net", "p:+15551234567", "CREATED"],
  ];
  const text = [header, ...rows].map((r) => r.join("\t")).join("\r\n") + "\r\n";
  writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(() => h?.driver.stop());

describe("leads in the desktop app", () => {
  it("imports an export file, finds a person by search and shows every field of their lead", async () => {
    h.cli("client", "add", "Acme Shoes", "--country", "GB");
    const file = path.join(h.dataDir, "..", `leads-${Date.now()}.csv`);
    writeExport(file);

    const s = await h.driver.launch(h.app);
    await s.click('[data-testid="nav-leads"]');
    await s.waitFor('[data-testid="leads-empty"]', "No leads yet");
    await s.type('[data-testid="import-path"]', file + ENTER);
    await s.waitFor('[data-testid="import-summary"]', "New leads3");
    await s.click('[data-testid="import-summary"] button', "Done");
    await s.waitFor('[data-testid="lead-count"]', "3 leads");

    await s.type('[data-testid="lead-search"]', "zoe");
    await s.waitFor('[data-testid="lead-count"]', "1 lead");
    await s.click('[data-testid="lead-row"]', "Zoë Ørsted");
    await s.waitFor('[data-testid="lead-detail"]', "over_20000");
    await s.waitFor('[data-testid="lead-detail"]', "07700 900123");
    await s.screenshot(path.join(h.shots, "leads.png"));
    await s.close();

    const found = JSON.parse(h.cli("leads", "find", "--phone", "+44 7700 900123", "--json")) as { meta_id: string }[];
    expect(found.map((l) => l.meta_id)).toEqual(["2002"]);
    const audit = h.cli("audit", "list");
    expect(audit).toContain("lead.import");
    expect(audit).toContain("lead.view");
  });
});
