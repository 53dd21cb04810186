import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { installBackend, lead } from "../../test-backend";
import { Breaches } from "./Breaches";
import { BreachCard } from "./BreachCard";

// The simulated backend reads every clock as of 2026-11-22T12:00:00Z.
describe("Breaches", () => {
  it("says none is recorded, then records one with its 72 hours, counting the client's people and a leaked list", async () => {
    const backend = installBackend(["Acme", "Beta"]);
    backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bo Berg"), lead(3, "Cy Beta", "Beta"));
    backend.texts["/tmp/leak.txt"] = "eve@example.org\nsee attached\n";
    backend.openAs = "/tmp/leak.txt";
    render(<Breaches />);

    expect((await screen.findByTestId("no-breaches")).textContent).toContain("72 hours");
    await userEvent.click(screen.getByTestId("new-breach"));
    const form = screen.getByRole("form", { name: "New breach" });
    const aware = within(form).getByTestId("breach-aware-at");
    await userEvent.clear(aware);
    await userEvent.type(aware, "2026-11-22T09:00");
    await userEvent.type(within(form).getByTestId("breach-summary"), "A lead export was emailed to the wrong client");
    await userEvent.click(within(form).getByLabelText("Acme"));
    await userEvent.click(within(form).getByTestId("breach-leaked"));
    expect(within(form).getByText("/tmp/leak.txt")).toBeTruthy();

    // A time without its offset is refused with why, and nothing is lost of what was typed.
    await userEvent.click(within(form).getByTestId("breach-save"));
    const refused = await within(form).findByRole("alert");
    expect(refused.getAttribute("data-code")).toBe("invalid_input");
    expect((within(form).getByTestId("breach-summary") as HTMLTextAreaElement).value).toContain("wrong client");

    await userEvent.type(aware, "+01:00");
    await userEvent.click(within(form).getByTestId("breach-save"));
    const detail = await screen.findByTestId("breach-detail");
    expect(screen.queryByRole("form", { name: "New breach" })).toBeNull();
    // Aware at 08:00 UTC: 68 hours left of the 72.
    expect(within(detail).getByTestId("breach-clock").textContent).toBe("2 d 20 h left to tell the authority");
    expect(within(detail).getByTestId("breach-clock").className).toContain("ok");
    expect(within(detail).getByTestId("breach-people").textContent).toBe("3");
    expect(within(detail).getByTestId("breach-affected").textContent).toContain("1 people named in a leaked file, 1 of them in no record counted here");
    expect(backend.audit[0]?.action).toBe("breach.new");
  });

  it("shows the clock amber under 24 hours and red once passed, and a late notification asks why", async () => {
    const backend = installBackend(["Acme"]);
    render(<Breaches />);
    await screen.findByTestId("no-breaches");
    // Added straight to the register: one aware 60 hours before now, one 80.
    for (const aware of ["2026-11-20T00:00:00Z", "2026-11-19T04:00:00Z"]) {
      await userEvent.click(screen.getByTestId("new-breach"));
      const form = screen.getByRole("form", { name: "New breach" });
      await userEvent.clear(within(form).getByTestId("breach-aware-at"));
      await userEvent.type(within(form).getByTestId("breach-aware-at"), aware);
      await userEvent.type(within(form).getByTestId("breach-summary"), "Laptop stolen");
      await userEvent.click(within(form).getByTestId("breach-save"));
      await screen.findByTestId("breach-detail");
    }
    const near = await screen.findByTestId("clock-1");
    expect(near.className).toContain("near");
    expect(near.textContent).toBe("12 h 0 min left to tell the authority");
    const passed = screen.getByTestId("clock-2");
    expect(passed.className).toContain("passed");
    expect(passed.textContent).toBe("deadline passed 8 h 0 min ago");

    // Breach 2 is open: telling the authority now is late, and the reason is asked for.
    const detail = screen.getByTestId("breach-detail");
    await userEvent.type(within(detail).getByTestId("breach-told-on"), "2026-11-22T11:00:00Z");
    await userEvent.click(within(detail).getByTestId("breach-told-save"));
    expect((await within(detail).findByRole("alert")).getAttribute("data-code")).toBe("invalid_input");
    await userEvent.type(within(detail).getByTestId("breach-late-reason"), "The processor told us two days late");
    await userEvent.click(within(detail).getByTestId("breach-told-save"));
    await waitFor(() => expect(screen.getByTestId("clock-2").textContent).toBe("authority told 2026-11-22T11:00:00Z, late"));
    expect(backend.breaches[1]?.late_reason).toBe("The processor told us two days late");
  });

  it("fills in what a notice states in phases, shows what the draft still lacks, and saves it asking before replacing a file", async () => {
    const backend = installBackend(["Acme"]);
    backend.breaches.push(breach());
    backend.saveAs = "/tmp/breach-1-authority.html";
    backend.files.push("/tmp/breach-1-authority.html");
    render(<Breaches />);
    await userEvent.click(await screen.findByRole("button", { name: "1" }));
    const detail = screen.getByTestId("breach-detail");

    await userEvent.click(within(detail).getByTestId("breach-draft-authority"));
    const lacking = await within(detail).findByTestId("breach-missing");
    expect(lacking.textContent).toContain("the likely consequences");
    expect(lacking.textContent).toContain("the systems concerned");

    await userEvent.type(within(detail).getByTestId("breach-systems"), "an export file");
    await userEvent.type(within(detail).getByTestId("breach-consequences"), "Unwanted marketing");
    await userEvent.type(within(detail).getByTestId("breach-measures"), "The recipient deleted the file");
    await userEvent.type(within(detail).getByTestId("breach-contact"), "Dana Pro, dpo@agency.example");
    await userEvent.click(within(detail).getByTestId("breach-details-save"));
    await waitFor(() => expect(backend.breaches[0]?.details.contact).toBe("Dana Pro, dpo@agency.example"));
    expect(backend.breaches[0]?.details.systems).toEqual(["an export file"]);

    await userEvent.click(within(screen.getByTestId("breach-detail")).getByTestId("breach-draft-authority"));
    await waitFor(() => expect(screen.queryByTestId("breach-missing")).toBeNull());
    await userEvent.click(screen.getByTestId("breach-save-notice"));
    await userEvent.click(await screen.findByRole("button", { name: "Replace" }));
    expect((await screen.findByTestId("breach-notice-saved")).textContent).toContain("/tmp/breach-1-authority.html");
    expect(backend.audit[0]?.action).toBe("breach.notice");
  });

  it("closes a breach with its reason, after which its record no longer changes", async () => {
    const backend = installBackend(["Acme"]);
    backend.breaches.push(breach());
    render(<Breaches />);
    await userEvent.click(await screen.findByRole("button", { name: "1" }));
    const detail = screen.getByTestId("breach-detail");
    await userEvent.type(within(detail).getByTestId("breach-close-reason"), "The file was encrypted: no risk");
    await userEvent.click(within(detail).getByTestId("breach-close"));
    await waitFor(() => expect(screen.getByTestId("clock-1").textContent).toBe("closed without telling the authority"));
    const closed = screen.getByTestId("breach-detail");
    expect(within(closed).queryByTestId("breach-close")).toBeNull();
    expect(within(closed).queryByTestId("breach-details-save")).toBeNull();
    expect(within(closed).queryByTestId("breach-recount")).toBeNull();
    expect(backend.breaches[0]?.close_reason).toBe("The file was encrypted: no risk");
  });
});

describe("BreachCard", () => {
  it("counts down the nearest open deadline on the Dashboard and opens the register", async () => {
    const backend = installBackend(["Acme"]);
    backend.breaches.push(breach({ id: 1, aware_at: "2026-11-21T12:00:00Z", deadline: "2026-11-24T12:00:00Z" }));
    backend.breaches.push(breach({ id: 2, aware_at: "2026-11-19T20:00:00Z", deadline: "2026-11-22T20:00:00Z" }));
    backend.breaches.push(breach({ id: 3, aware_at: "2026-11-01T00:00:00Z", deadline: "2026-11-04T00:00:00Z", closed_at: "2026-11-02T00:00:00Z", close_reason: "No risk" }));
    const onOpen = vi.fn();
    render(<BreachCard onOpen={onOpen} />);
    expect((await screen.findByTestId("breaches-open")).textContent).toBe("2");
    const clock = screen.getByTestId("breach-card-clock");
    expect(clock.textContent).toBe("Breach 2: 8 h 0 min left to tell the authority");
    expect(clock.className).toBe("warn");
    expect(screen.getByTestId("breach-card").className).toContain("near");
    await userEvent.click(screen.getByRole("button", { name: "Open breaches" }));
    expect(onOpen).toHaveBeenCalledWith("breaches");
  });

  it("says no breach is waiting when every one is told or closed", async () => {
    installBackend();
    render(<BreachCard onOpen={vi.fn()} />);
    expect((await screen.findByTestId("breaches-open")).textContent).toBe("0");
    expect(screen.getByTestId("breach-card").textContent).toContain("No breach is waiting");
  });
});

function breach(over: Partial<import("../../api").Breach> = {}): import("../../api").Breach {
  return {
    id: 1, aware_at: "2026-11-21T12:00:00Z", deadline: "2026-11-24T12:00:00Z", standing: "running", minutes_left: 0,
    summary: "Laptop stolen", clients: ["Acme"], kinds: ["leads"], since: null, until: null, authority_on: null,
    authority_late: false, late_reason: null, subjects_on: null, closed_at: null, close_reason: null,
    created_at: "2026-11-21T12:00:00.000Z", details: { systems: [], consequences: null, measures: null, contact: null },
    people: 2, records: 2, counted: null, assessed_at: "2026-11-21T12:00:00.000Z", ...over,
  };
}
