// Drives the real Custodian binary (bundled UI, real keychain, real database) through tauri-driver.
// Run by `make test` inside tests/session.sh, which provides D-Bus, gnome-keyring and Xvfb.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Driver } from "./webdriver";

const app = process.env.CUSTODIAN_APP;
if (!app) throw new Error("CUSTODIAN_APP must name the app binary (make test sets it)");
const dataDir = mkdtempSync(path.join(tmpdir(), "custodian-e2e-"));
const shots = path.resolve(app, "../../e2e");
let driver: Driver;

function cliClients(): string[] {
  const out = execFileSync(app!, ["--data-dir", dataDir, "client", "list", "--json"], { encoding: "utf8" });
  return (JSON.parse(out) as { name: string }[]).map((c) => c.name);
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  // The app reads its data directory from the environment tauri-driver passes on.
  driver = await Driver.start({ ...process.env, CUSTODIAN_DATA_DIR: dataDir });
});

afterAll(() => driver?.stop());

describe("clients in the desktop app", () => {
  it("a client created in the app is listed, is still there after a restart, and the CLI sees it", async () => {
    let app1 = await driver.launch(app);
    await app1.waitFor("h1", "Dashboard");
    await app1.click('[data-testid="nav-clients"]');
    await app1.waitFor('[data-testid="clients-empty"]', "No clients yet");
    await app1.type('[data-testid="new-client-name"]', "Acme Shoes");
    await app1.click('[data-testid="add-client"]');
    await app1.waitFor('[data-testid="client-row"]', "Acme Shoes");
    await app1.screenshot(path.join(shots, "clients.png"));
    await app1.close();

    app1 = await driver.launch(app);
    await app1.click('[data-testid="nav-clients"]');
    await app1.waitFor('[data-testid="client-row"]', "Acme Shoes");
    await app1.close();

    expect(cliClients()).toEqual(["Acme Shoes"]);
  });

  it("a client added from the command line shows in the app, and the dashboard counts it", async () => {
    execFileSync(app, ["--data-dir", dataDir, "client", "add", "Globex"]);
    const s = await driver.launch(app);
    await s.waitFor('[data-testid="client-count"]', "2");
    await s.screenshot(path.join(shots, "dashboard.png"));
    await s.click('[data-testid="nav-clients"]');
    await s.waitFor('[data-testid="client-row"]', "Globex");
    await s.close();
  });

  it("removing a client asks first, says what goes, and cancelling keeps it", async () => {
    const s = await driver.launch(app);
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
    await s.screenshot(path.join(shots, "audit.png"));
    await s.close();
  });
});
