import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Thread } from "../../api";
import { installBackend } from "../../test-backend";
import { Conversations } from "./Conversations";
import { choose } from "../../test-choose";

function thread(id: number, title: string, lastAt: string, bodies: string[]): Thread {
  return {
    summary: {
      id, client: "Acme", channel: "whatsapp", title, source: "WhatsApp export chat.txt",
      first_at: "2026-11-20T09:00:00Z", last_at: lastAt, messages: bodies.length, last_text: bodies[bodies.length - 1] ?? "",
    },
    participants: [{ kind: "phone", id: "+44 7911 123456", name: null }],
    messages: bodies.map((body, i) => ({
      id: id * 100 + i, sent_at: `2026-11-20T09:0${i}:00Z`, author: i % 2 ? null : title, from_business: i % 2 === 1,
      kind: "text", body, damaged: false,
    })),
  };
}


describe("Conversations", () => {
  it("lists many threads a page at a time and opens a long thread at its latest messages", async () => {
    const backend = installBackend(["Acme"]);
    for (let n = 1; n <= 201; n++) {
      backend.threads.push(thread(n, `Person ${n}`, new Date(Date.UTC(2026, 10, 1, 0, n)).toISOString(), [`hello ${n}`]));
    }
    const long = thread(500, "Long talk", "2026-11-30T00:00:00Z", Array.from({ length: 501 }, (_, i) => `line ${i}`));
    long.messages = long.messages.map((m, i) => ({ ...m, sent_at: new Date(Date.UTC(2026, 10, 29, 0, 0, i)).toISOString() }));
    backend.threads.push(long);
    render(<Conversations />);
    await waitFor(() => expect(screen.getAllByTestId("thread-row")).toHaveLength(200));
    await userEvent.click(screen.getByTestId("chat-more"));
    await waitFor(() => expect(screen.getAllByTestId("thread-row")).toHaveLength(202));
    expect(screen.queryByTestId("chat-more")).toBeNull();

    await userEvent.click(screen.getAllByTestId("thread-row")[0]!);
    const pane = await screen.findByTestId("thread-pane");
    await waitFor(() => expect(pane.querySelectorAll(".messages li")).toHaveLength(500));
    const bodies = () => [...screen.getByTestId("thread-pane").querySelectorAll(".messages .pre")].map((b) => b.textContent);
    expect([bodies()[0], bodies()[499]]).toEqual(["line 1", "line 500"]);
    expect(pane.textContent).toContain("The latest 500 messages of 501.");
    await userEvent.click(within(pane).getByTestId("thread-earlier"));
    await waitFor(() => expect(bodies()).toHaveLength(501));
    expect(bodies()[0]).toBe("line 0");
    expect(screen.queryByTestId("thread-earlier")).toBeNull();
  });

  it("opens a thread at its latest messages even when messages came in after the list was read", async () => {
    const backend = installBackend(["Acme"]);
    const talk = (lines: number) => {
      const t = thread(7, "Long talk", "2026-11-30T00:00:00Z", Array.from({ length: lines }, (_, i) => `line ${i}`));
      t.messages = t.messages.map((m, i) => ({ ...m, sent_at: new Date(Date.UTC(2026, 10, 29, 0, 0, i)).toISOString() }));
      return t;
    };
    backend.threads.push(talk(501));
    render(<Conversations />);
    await waitFor(() => expect(screen.getAllByTestId("thread-row")).toHaveLength(1));
    // An import from the command line adds two messages; the list still says 501.
    backend.threads[0] = talk(503);
    await userEvent.click(screen.getAllByTestId("thread-row")[0]!);
    const pane = await screen.findByTestId("thread-pane");
    const bodies = () => [...pane.querySelectorAll(".messages .pre")].map((b) => b.textContent);
    await waitFor(() => expect(bodies().at(-1)).toBe("line 502"));
    expect(bodies()).toHaveLength(500);
    expect(bodies()[0]).toBe("line 3");
    expect(pane.textContent).toContain("The latest 500 messages of 503.");
    await userEvent.click(within(pane).getByTestId("thread-earlier"));
    await waitFor(() => expect(bodies()).toHaveLength(503));
    expect([bodies()[0], bodies().at(-1)]).toEqual(["line 0", "line 502"]);
  });

  it("says how conversations come in when none is held, and imports a file from there", async () => {
    const backend = installBackend(["Acme"]);
    backend.chatFiles["/tmp/WhatsApp Chat with Ann.txt"] = [thread(1, "Ann", "2026-11-21T10:00:00Z", ["Hi", "Hello Ann"])];
    render(<Conversations />);
    const empty = await screen.findByTestId("chat-empty");
    expect(empty.textContent).toContain("Export chat");
    await userEvent.click(screen.getByTestId("chat-import-open"));
    await userEvent.type(screen.getByTestId("chat-import-path"), "/tmp/nothing.txt");
    await userEvent.click(screen.getByTestId("chat-import-run"));
    expect((await screen.findByRole("alert")).textContent).toContain("is neither WhatsApp's Export chat text");
    await userEvent.clear(screen.getByTestId("chat-import-path"));
    await userEvent.type(screen.getByTestId("chat-import-path"), "/tmp/WhatsApp Chat with Ann.txt");
    await userEvent.click(screen.getByTestId("chat-import-run"));
    const summary = await screen.findByTestId("chat-import-summary");
    expect(summary.textContent).toContain("New messages2");
    await userEvent.click(within(summary).getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.getAllByTestId("thread-row")).toHaveLength(1));
    expect(screen.queryByTestId("chat-import")).toBeNull();
  });

  it("asks how an export's dates are written when they read either way, and imports it once told", async () => {
    const backend = installBackend(["Acme"]);
    const path = "/tmp/WhatsApp Chat with Ann.txt";
    backend.chatFiles[path] = [thread(1, "Ann", "2026-03-02T09:00:00Z", ["Hi", "Any news?"])];
    backend.datesEitherWay.push(path);
    render(<Conversations />);
    await userEvent.click(await screen.findByTestId("chat-import-open"));
    await userEvent.type(screen.getByTestId("chat-import-path"), path);
    await userEvent.click(screen.getByTestId("chat-import-run"));
    expect((await screen.findByRole("alert")).textContent).toContain("read as well day first as month first");
    const order = screen.getByTestId("chat-import-date-order");
    await waitFor(() => expect(document.activeElement).toBe(order));
    expect(order.getAttribute("aria-invalid")).toBe("true");
    expect(backend.threads).toHaveLength(0);
    await choose(order, "day_first");
    await userEvent.click(screen.getByTestId("chat-import-run"));
    expect((await screen.findByTestId("chat-import-summary")).textContent).toContain("New messages2");
  });

  it("lists threads latest first, opens one with the keyboard, searches words and closes the pane with Escape", async () => {
    const backend = installBackend(["Acme"]);
    backend.threads.push(
      thread(1, "Ann", "2026-11-21T10:00:00Z", ["About the zebracorn sofa", "It is in stock"]),
      thread(2, "Bo", "2026-11-22T10:00:00Z", ["Guten Tag"]),
    );
    render(<Conversations />);
    await waitFor(() => expect(screen.getAllByTestId("thread-row").map((r) => r.querySelector("strong")?.textContent)).toEqual(["Bo", "Ann"]));
    screen.getByTestId("thread-list").focus();
    await userEvent.keyboard("{ArrowDown}");
    let pane = await screen.findByTestId("thread-pane");
    expect(within(pane).getByRole("heading").textContent).toBe("Bo");
    await userEvent.keyboard("{ArrowDown}");
    await waitFor(() => expect(within(screen.getByTestId("thread-pane")).getByRole("heading").textContent).toBe("Ann"));
    pane = screen.getByTestId("thread-pane");
    expect(pane.textContent).toContain("About the zebracorn sofa");
    expect(pane.querySelectorAll(".message.ours")).toHaveLength(1);
    await userEvent.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("thread-pane")).toBeNull());

    await userEvent.keyboard("/");
    expect(document.activeElement).toBe(screen.getByTestId("chat-search"));
    await userEvent.type(screen.getByTestId("chat-search"), "ZEBRACORN");
    await waitFor(() => expect(screen.getAllByTestId("thread-row")).toHaveLength(1));
    await userEvent.clear(screen.getByTestId("chat-search"));
    await userEvent.type(screen.getByTestId("chat-search"), "unicorn");
    expect((await screen.findByTestId("chat-none-found")).textContent).toContain("No thread holds “unicorn”");
  });

  it("a thread erased since it was listed is said to be gone and leaves the list", async () => {
    const backend = installBackend(["Acme"]);
    backend.threads.push(thread(1, "Ann", "2026-11-21T10:00:00Z", ["Hi"]));
    render(<Conversations />);
    const row = await screen.findByTestId("thread-row");
    backend.threads = [];
    await userEvent.click(row);
    expect((await screen.findByRole("alert")).dataset.code).toBe("not_found");
    await screen.findByTestId("chat-empty");
  });

  it("says what a sync read, and where it stopped", async () => {
    const backend = installBackend(["Acme"]);
    backend.chatSync = {
      cancelled: false,
      pages: [
        { page_id: "p1", page: "Acme Shoes", channel: "messenger", client: "Acme", threads_read: 1, threads: 1, messages: 3, already_held: 0, erased: 0, consent: 0, unreadable: 0, problem: null },
        { page_id: "p1", page: "Acme Shoes", channel: "instagram", client: "Acme", threads_read: 0, threads: 0, messages: 0, already_held: 0, erased: 0, consent: 0, unreadable: 0, problem: "a permission is missing" },
      ],
    };
    render(<Conversations />);
    await screen.findByTestId("chat-empty");
    await userEvent.click(screen.getByTestId("chat-sync"));
    await waitFor(() =>
      expect(screen.getByTestId("chat-status").textContent).toBe(
        "Read 3 new messages from 1 Page. Not read to the end: Acme Shoes on Instagram (a permission is missing). What was read is kept.",
      ),
    );
  });

  it("looks up the consent of the person of the open thread, records an answer with its proof and exports the register", async () => {
    const backend = installBackend(["Acme"]);
    backend.threads.push(thread(1, "Ann", "2026-11-21T10:00:00Z", ["STOP"]));
    backend.consent.push({
      id: 1, client: "Acme", channel: "whatsapp_marketing", opted_in: false, said_at: "2026-11-21T10:00:00Z",
      recorded_at: "2026-11-22T10:00:00Z", source: "message", proof: 'WhatsApp message "STOP" from +447911123456',
      identifiers: [{ kind: "phone", value: "+447911123456" }], request_id: null,
    });
    backend.saveAs = "/home/ada/consent-acme.csv";
    render(<Conversations />);
    await userEvent.click(await screen.findByTestId("thread-row"));
    await screen.findByTestId("thread-pane");
    await userEvent.click(screen.getByTestId("consent-open"));
    const dialog = await screen.findByTestId("consent");
    expect((within(dialog).getByTestId("consent-value") as HTMLInputElement).value).toBe("+44 7911 123456");
    await userEvent.keyboard("{Enter}");
    const states = await within(dialog).findAllByTestId("consent-state");
    expect(states.map((r) => r.textContent)).toEqual(["AcmeWhatsApp marketingOpted out2026-11-21 10:00"]);
    expect(within(dialog).getByTestId("consent-entry").textContent).toContain('Message: WhatsApp message "STOP"');

    // An opt-in names its client before it can be recorded.
    await userEvent.click(within(dialog).getByTestId("consent-opt-in"));
    await userEvent.type(within(dialog).getByTestId("consent-reason"), "Said yes on the phone");
    expect((within(dialog).getByTestId("consent-record") as HTMLButtonElement).disabled).toBe(true);
    await choose(within(dialog).getByTestId("consent-client"), "Acme");
    await userEvent.click(within(dialog).getByTestId("consent-record"));
    await waitFor(() => expect(within(dialog).getByTestId("consent-status").textContent).toBe("Opt-in recorded."));
    expect(within(dialog).getAllByTestId("consent-state").map((r) => r.textContent)).toEqual([
      "AcmeWhatsApp marketingOpted in2026-11-23 09:00",
    ]);
    expect(backend.consent[1]?.proof).toContain("Said yes on the phone");

    await userEvent.click(within(dialog).getByTestId("consent-export"));
    await waitFor(() =>
      expect(within(dialog).getByTestId("consent-status").textContent).toBe("Exported 2 entries to /home/ada/consent-acme.csv."),
    );
    await userEvent.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("consent")).toBeNull());
    expect(screen.getByTestId("thread-pane")).toBeTruthy();
  });
});
