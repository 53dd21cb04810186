// Conversations through the real app window: a WhatsApp export imported from the screen, the
// thread found by a word and read, the person's STOP found in the consent register, then all of it
// erased through a request by phone, which the screen and the CLI both see.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(() => h?.driver.stop());

describe("conversations in the desktop app", () => {
  it("imports a WhatsApp export, finds the thread by a word, reads it, and no longer shows it once the person is erased", async () => {
    h.cli("client", "add", "Acme", "--country", "GB");
    const dir = path.join(h.dataDir, "..", `chats-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "WhatsApp Chat with Ann Lee.txt");
    writeFileSync(
      file,
      "20/11/2026, 09:15 - Messages and calls are end-to-end encrypted.\n" +
        "20/11/2026, 09:15 - Ann Lee: Do you have the quokka boots in 38?\n" +
        "20/11/2026, 09:16 - Acme Shoes: We do.\nShall we hold a pair?\n" +
        "20/11/2026, 09:17 - Ann Lee: Yes please\n" +
        "20/11/2026, 09:18 - Ann Lee: STOP\n",
    );

    const s = await h.driver.launch(h.app);
    await s.click('[data-testid="nav-conversations"]');
    await s.waitFor('[data-testid="chat-empty"]', "No conversations yet");
    await s.click('[data-testid="chat-import-open"]');
    await s.type('[data-testid="chat-import-path"]', file);
    await s.type('[data-testid="chat-import-phone"]', "+44 7911 123456");
    await s.type('[data-testid="chat-import-business"]', "Acme Shoes");
    await s.click('[data-testid="chat-import-run"]');
    await s.waitFor('[data-testid="chat-import-summary"]', "New messages5");
    await s.click('[data-testid="chat-import-summary"] button', "Done");

    await s.type('[data-testid="chat-search"]', "quokka");
    await s.click('[data-testid="thread-row"]', "Ann Lee");
    await s.waitFor('[data-testid="thread-pane"]', "Shall we hold a pair?");
    await s.waitFor('[data-testid="thread-participants"]', "phone +44 7911 123456");
    await s.screenshot(path.join(h.shots, "conversations.png"));
    // Her STOP is in the consent register, found from the thread she sent it in.
    await s.click('[data-testid="consent-open"]');
    await s.click('[data-testid="consent-look-up"]');
    await s.waitFor('[data-testid="consent-states"]', "Opted out");
    await s.waitFor('[data-testid="consent-entry"]', 'WhatsApp message "STOP"');
    await s.screenshot(path.join(h.shots, "consent.png"));
    await s.click('[data-testid="consent"] button', "Close");
    await s.close();
    const consent = JSON.parse(h.cli("consent", "show", "--phone", "+447911123456", "--json")) as { entries: unknown[] };
    expect(consent.entries).toHaveLength(1);

    const request = JSON.parse(h.cli("request", "new", "--kind", "erasure", "--phone", "07911 123456", "--client", "Acme", "--json")) as {
      id: number;
    };
    h.cli("request", "find", String(request.id));
    h.cli("request", "erase", String(request.id), "--yes");
    expect(JSON.parse(h.cli("chat", "list", "--json"))).toEqual([]);
    expect((JSON.parse(h.cli("consent", "show", "--phone", "+447911123456", "--json")) as { entries: unknown[] }).entries).toEqual([]);

    const again = await h.driver.launch(h.app);
    await again.click('[data-testid="nav-conversations"]');
    await again.waitFor('[data-testid="chat-empty"]', "No conversations yet");
    await again.close();
    expect(h.cli("audit", "list")).toContain("chat.import");
  });
});
