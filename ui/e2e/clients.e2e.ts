// Drives the real Custodian binary (bundled UI, real keychain, real database) through tauri-driver.
// Run by `make test` inside tests/session.sh, which provides D-Bus, gnome-keyring and Xvfb.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness";

let h: Harness;

function cliClients(): string[] {
  return (JSON.parse(h.cli("client", "list", "--json")) as { name: string }[]).map((c) => c.name);
}

beforeAll(async () => {
  h = await startHarness();
});

afterAll(() => h?.driver.stop());

describe("clients in the desktop app", () => {
  it("a client created in the app is listed, is still there after a restart, and the CLI sees it", async () => {
    let app1 = await h.driver.launch(h.app);
    await app1.waitFor("h1", "Dashboard");
    await app1.click('[data-testid="nav-clients"]');
    await app1.waitFor('[data-testid="clients-empty"]', "No clients yet");
    await app1.type('[data-testid="new-client-name"]', "Acme Shoes");
    await app1.click('[data-testid="add-client"]');
    await app1.waitFor('[data-testid="client-row"]', "Acme Shoes");
    await app1.screenshot(path.join(h.shots, "clients.png"));
    await app1.close();

    app1 = await h.driver.launch(h.app);
    await app1.click('[data-testid="nav-clients"]');
    await app1.waitFor('[data-testid="client-row"]', "Acme Shoes");
    await app1.close();

    expect(cliClients()).toEqual(["Acme Shoes"]);
  });

  it("a client added from the command line shows in the app, and the dashboard counts it", async () => {
    h.cli("client", "add", "Globex");
    const s = await h.driver.launch(h.app);
    await s.waitFor('[data-testid="client-count"]', "2");
    await s.screenshot(path.join(h.shots, "dashboard.png"));
    await s.click('[data-testid="nav-clients"]');
    await s.waitFor('[data-testid="client-row"]', "Globex");
    await s.close();
  });

  it("removing a client asks first, says what goes, and cancelling keeps it", async () => {
    const s = await h.driver.launch(h.app);
    await s.click('[data-testid="nav-clients"]');
    await s.click('button[aria-label="Remove Globex"]');
    await s.waitFor('[role="alertdialog"]', "holds no data");
    await s.click('[role="alertdialog"] button', "Cancel");
    await s.absent('[role="alertdialog"]');
    await s.waitFor('[data-testid="client-row"]', "Globex");

    await s.click('button[aria-label="Remove Globex"]');
    await s.click('[data-testid="confirm"]');
    await s.absent('[role="alertdialog"]');
    await s.waitFor('[role="status"]', "Removed Globex");
    expect(cliClients()).toEqual(["Acme Shoes"]);

    await s.click('[data-testid="nav-audit"]');
    await s.waitFor('[data-testid="audit-table"]', "client.remove");
    await s.click("button", "Verify chain");
    await s.waitFor('[data-testid="verification"]', "Intact");
    await s.screenshot(path.join(h.shots, "audit.png"));
    await s.close();
  });
});
