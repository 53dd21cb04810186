import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { installBackend, lead } from "../test-backend";
import { LockSettings } from "./LockSettings";

const PASSPHRASE = "tangerine umbrella 42";

afterEach(() => vi.useRealTimers());

describe("App lock", () => {
  it("opens locked with a passphrase set, shows nothing of the workspace, and unlocks only with the passphrase", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"));
    backend.lock = { passphrase: PASSPHRASE, locked: true, idle_minutes: 10, wrong: 0 };
    render(<App />);

    const lock = await screen.findByTestId("lock-screen");
    expect(document.body.textContent).not.toContain("Acme");
    expect(document.body.textContent).not.toContain("Ann Lee");
    expect(screen.queryByRole("navigation")).toBeNull();

    await userEvent.type(within(lock).getByTestId("unlock-passphrase"), "a guess");
    await userEvent.click(within(lock).getByTestId("unlock"));
    expect((await within(lock).findByTestId("unlock-error")).getAttribute("data-code")).toBe("invalid_input");
    expect((within(lock).getByTestId("unlock-passphrase") as HTMLInputElement).value).toBe("");

    await userEvent.type(within(lock).getByTestId("unlock-passphrase"), PASSPHRASE);
    await userEvent.click(within(lock).getByTestId("unlock"));
    expect(await screen.findByRole("heading", { name: "Dashboard" })).toBeTruthy();
    expect(backend.audit.filter((e) => e.action === "lock.unlock").map((e) => e.outcome)).toEqual(["ok", "refused"]);
  });

  it("locks at once on Ctrl+L, and says when tries are paused after too many wrong passphrases", async () => {
    const backend = installBackend(["Acme"]);
    backend.lock = { passphrase: PASSPHRASE, locked: false, idle_minutes: 10, wrong: 0 };
    render(<App />);
    await screen.findByRole("heading", { name: "Dashboard" });
    await userEvent.keyboard("{Control>}l{/Control}");
    const lock = await screen.findByTestId("lock-screen");
    expect(backend.audit[0]?.action).toBe("lock.lock");

    backend.lock.wrong = 5;
    await userEvent.type(within(lock).getByTestId("unlock-passphrase"), PASSPHRASE);
    await userEvent.click(within(lock).getByTestId("unlock"));
    expect((await within(lock).findByTestId("unlock-error")).getAttribute("data-code")).toBe("try_later");
  });

  it("shows the lock when the backend refuses a call because it locked itself", async () => {
    const backend = installBackend(["Acme"]);
    backend.lock = { passphrase: PASSPHRASE, locked: false, idle_minutes: 10, wrong: 0 };
    render(<App />);
    const verify = await screen.findByTestId("verify");
    backend.lock.locked = true;
    await userEvent.click(verify);
    expect(await screen.findByTestId("lock-screen")).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Dashboard" })).toBeNull();
  });

  it("locks after its idle minutes with no input, and input keeps it open", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const backend = installBackend(["Acme"]);
    backend.lock = { passphrase: PASSPHRASE, locked: false, idle_minutes: 10, wrong: 0 };
    render(<App />);
    await screen.findByRole("heading", { name: "Dashboard" });
    await act(async () => {
      vi.advanceTimersByTime(9 * 60_000);
    });
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "a" }));
    await act(async () => {
      vi.advanceTimersByTime(9 * 60_000);
    });
    expect(screen.queryByTestId("lock-screen")).toBeNull();
    await act(async () => {
      vi.advanceTimersByTime(2 * 60_000);
    });
    expect(await screen.findByTestId("lock-screen")).toBeTruthy();
    expect(backend.lock.locked).toBe(true);
  });
});

describe("LockSettings", () => {
  it("sets a passphrase typed twice alike, changes it only with the current one, and removes it", async () => {
    const backend = installBackend();
    render(<LockSettings />);
    expect((await screen.findByTestId("lock-state")).textContent).toContain("Off");
    await userEvent.click(screen.getByTestId("lock-set"));
    await userEvent.type(screen.getByTestId("lock-new"), PASSPHRASE);
    await userEvent.type(screen.getByTestId("lock-again"), "something else");
    await userEvent.click(screen.getByTestId("lock-save"));
    expect(await screen.findByTestId("lock-mismatch")).toBeTruthy();
    expect(backend.lock.passphrase).toBeNull();
    await userEvent.clear(screen.getByTestId("lock-again"));
    await userEvent.type(screen.getByTestId("lock-again"), PASSPHRASE);
    await userEvent.click(screen.getByTestId("lock-save"));
    await waitFor(() => expect(screen.getByTestId("lock-state").textContent).toContain("after 10 idle minutes"));
    expect(backend.lock.passphrase).toBe(PASSPHRASE);

    await userEvent.click(screen.getByTestId("lock-remove"));
    await userEvent.type(screen.getByTestId("lock-current"), "not it");
    await userEvent.click(screen.getByTestId("lock-save"));
    expect((await screen.findByRole("alert")).getAttribute("data-code")).toBe("invalid_input");
    await userEvent.clear(screen.getByTestId("lock-current"));
    await userEvent.type(screen.getByTestId("lock-current"), PASSPHRASE);
    await userEvent.click(screen.getByTestId("lock-save"));
    await waitFor(() => expect(screen.getByTestId("lock-state").textContent).toContain("Off"));
    expect(backend.lock.passphrase).toBeNull();
  });
});
