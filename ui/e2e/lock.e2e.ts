// The app lock in the real app: set in the window, locked with Ctrl+L, every command refused by the
// backend while locked (not only hidden), wrong passphrases audited, and opening locked next time.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness";
import type { Session } from "./webdriver";

const PASSPHRASE = "tangerine umbrella 42";
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  h.cli("client", "add", "Acme Shoes");
});

afterAll(() => h?.driver.stop());

/** What the backend answers the window's call of `command`: its value, or its refusal's code. */
function call(s: Session, command: string): Promise<{ ok?: unknown; code?: string }> {
  return s.evaluateAsync(
    "const done = arguments[arguments.length - 1];" +
      "window.__TAURI_INTERNALS__.invoke(arguments[0], {}).then((ok) => done({ ok }), (e) => done({ code: e && e.code }));",
    command,
  );
}

describe("the app lock in the desktop app", () => {
  it("locks on Ctrl+L, refuses every command in the backend while locked, and opens locked after a restart", async () => {
    let s = await h.driver.launch(h.app);
    await s.waitFor("h1", "Dashboard");
    await s.waitFor('[data-testid="lock-state"]', "Off");
    await s.click('[data-testid="lock-set"]');
    await s.type('[data-testid="lock-new"]', PASSPHRASE);
    await s.type('[data-testid="lock-again"]', PASSPHRASE);
    await s.click('[data-testid="lock-save"]');
    await s.waitFor('[data-testid="lock-state"]', "On: the window locks after 10 idle minutes");

    await s.evaluate("window.dispatchEvent(new KeyboardEvent('keydown', { key: 'l', ctrlKey: true }));");
    await s.waitFor('[data-testid="lock-screen"]', "Custodian is locked");
    const shown = await s.evaluate<string>("return document.body.textContent;");
    expect(shown).not.toContain("Acme Shoes");
    expect(await call(s, "list_clients")).toEqual({ code: "locked" });
    expect(await call(s, "audit_list")).toEqual({ code: "locked" });
    expect(await call(s, "import_file")).toEqual({ code: "locked" });
    expect(((await call(s, "lock_status")).ok as { locked: boolean }).locked).toBe(true);
    await s.screenshot(path.join(h.shots, "lock.png"));

    await s.type('[data-testid="unlock-passphrase"]', "a guess");
    await s.click('[data-testid="unlock"]');
    await s.waitFor('[data-testid="unlock-error"]', "not the app's passphrase");
    await s.type('[data-testid="unlock-passphrase"]', PASSPHRASE);
    await s.click('[data-testid="unlock"]');
    await s.waitFor("h1", "Dashboard");
    expect(((await call(s, "list_clients")).ok as { name: string }[]).map((c) => c.name)).toEqual(["Acme Shoes"]);
    await s.close();

    s = await h.driver.launch(h.app);
    await s.waitFor('[data-testid="lock-screen"]', "Custodian is locked");
    expect(await call(s, "overview")).toEqual({ code: "locked" });
    await s.close();

    // The command line runs as the OS user, and the trail holds every try.
    expect(h.cli("client", "list")).toContain("Acme Shoes");
    const trail = JSON.parse(h.cli("audit", "list", "--json")) as { action: string; outcome: string }[];
    const tries = trail.filter((e) => e.action === "lock.unlock").map((e) => e.outcome);
    expect(tries).toContain("ok");
    expect(tries.some((o) => o !== "ok")).toBe(true);
  });
});
