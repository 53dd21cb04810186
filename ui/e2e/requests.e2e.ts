// A data-subject request through the real app window: record it, find the person, export their
// data, erase them, see the receipt, find them gone from Leads, and see what is held on the Dashboard.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness";

const ENTER = "\uE007";
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(() => h?.driver.stop());

describe("data-subject requests in the desktop app", () => {
  it("records a request, finds and exports the person, erases them with a receipt, and Leads no longer has them", async () => {
    const header = ["id", "created_time", "ad_id", "ad_name", "campaign_id", "campaign_name", "form_id", "form_name", "is_organic", "platform", "full_name", "email", "phone_number", "lead_status"];
    const rows = [
      ["l:3001", "2026-07-16T00:12:13+03:00", "ag:1", "Video", "c:9", "Spring", "f:5", "Test drive", "false", "fb", "Nadia Quill", "nadia.quill@example.com", "p:+447911000111", "CREATED"],
      ["l:3002", "2026-07-17T09:00:00+01:00", "ag:1", "Video", "c:9", "Spring", "f:5", "Test drive", "false", "ig", "Omar Reyes", "omar@example.org", "p:+447911000222", "CREATED"],
    ];
    const file = path.join(h.dataDir, "..", `requests-${Date.now()}.csv`);
    writeFileSync(file, [header, ...rows].map((r) => r.join(",")).join("\n") + "\n");
    h.cli("client", "add", "Acme Shoes", "--country", "GB");
    h.cli("import", file, "--client", "Acme Shoes");
    // July's leads are past the 90-day default: keep them from the app's start-up purge.
    h.cli("retention", "set", "--kind", "leads", "--days", "3650", "--client", "Acme Shoes", "--reason", "kept while under review");
    const zip = path.join(h.dataDir, "..", `nadia-${Date.now()}.zip`);

    const s = await h.driver.launch(h.app);
    await s.click('[data-testid="nav-requests"]');
    await s.waitFor("section", "No requests yet");

    // Access: record, find, export.
    await s.click('[data-testid="new-request"]');
    await s.type('[data-testid="identifier-0"]', "Nadia.Quill@example.com");
    await s.click('[data-testid="create-request"]');
    await s.waitFor('[data-testid="request-1"]', "days left");
    await s.click('[data-testid="find"]');
    await s.waitFor('[data-testid="found"]', "1 leads of Acme Shoes");
    await s.waitFor('[data-testid="found"]', "+447911000111");
    await s.type('[data-testid="export-path"]', zip + ENTER);
    await s.waitFor('[role="status"]', "manifest.json");
    expect(existsSync(zip)).toBe(true);

    // Erasure: record, confirm, receipt.
    await s.click('[data-testid="new-request"]');
    await s.select('[data-testid="request-kind"]', "erasure");
    await s.select('[aria-label="Identifier kind"]', "phone");
    await s.type('[data-testid="identifier-0"]', "+44 7911 000111");
    await s.click('[data-testid="create-request"]');
    await s.waitFor('[data-testid="request-detail"]', "Request 2: erasure");
    await s.click('[data-testid="erase"]');
    await s.waitFor('[role="alertdialog"]', "deletes 1 leads");
    await s.click('[data-testid="confirm"]');
    await s.waitFor('[data-testid="receipt"]', "Deleted1 leads");
    await s.screenshot(path.join(h.shots, "requests.png"));
    await s.click('[data-testid="receipt"] button', "Done");
    await s.waitFor('[data-testid="request-status"]', "Completed");

    await s.click('[data-testid="nav-leads"]');
    await s.waitFor('[data-testid="lead-count"]', "1 lead");
    await s.type('[data-testid="lead-search"]', "nadia");
    await s.waitFor('[data-testid="lead-count"]', "0 leads");

    // The Dashboard counts what each kind's holder holds: Omar's lead and the import for Acme, the
    // closed erasure and the audit trail for the workspace.
    await s.click('[data-testid="nav-dashboard"]');
    await s.waitFor('[data-testid="held-leads-Acme Shoes"]', "1");
    await s.waitFor('[data-testid="held-imports-Acme Shoes"]', "1");
    await s.waitFor('[data-testid="held-request_records-workspace"]', "1");
    await s.screenshot(path.join(h.shots, "dashboard-held.png"));
    await s.close();

    const audit = h.cli("audit", "list");
    expect(audit).toContain("request.erase");
    expect(audit).not.toContain("nadia");
    // Email, Meta lead id, and the phone in three forms: E.164, its digits as written and nationally.
    const suppressed = JSON.parse(h.cli("suppression", "list", "--json")) as unknown[];
    expect(suppressed.length).toBe(5);
  });
});
