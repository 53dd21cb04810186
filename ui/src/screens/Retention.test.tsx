import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { installBackend, lead } from "../test-backend";
import { fromNow, Retention } from "./Retention";
import { choose } from "../test-choose";

describe("Retention screen", () => {
  it("shows each client's leads with their policy, what is held, how old and what falls due", async () => {
    const backend = installBackend(["Acme", "Beta"]);
    backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"), lead(3, "Cy Beta", "Beta"));
    render(<Retention />);
    const acme = await screen.findByTestId("retention-leads-Acme");
    expect(acme.textContent).toContain("90 days");
    const cells = within(acme).getAllByRole("cell").map((c) => c.textContent);
    expect(cells.slice(6, 9)).toEqual(["2", "2", "2"]);
    expect(within(acme).getByRole("img").getAttribute("aria-label")).toContain("90–180 days: 2");
    expect(screen.getByTestId("retention-audit_entries-workspace").textContent).toContain("730 days");
    expect(screen.getByTestId("purge-schedule").textContent).toContain("No purge has run yet");
    expect(screen.getByTestId("purge-schedule").textContent).toContain("3 records due");

    await choose(screen.getByTestId("retention-client"), "Beta");
    expect(screen.queryByTestId("retention-leads-Acme")).toBeNull();
    expect(screen.getByTestId("retention-leads-Beta")).toBeTruthy();
  });

  it("keeps the policy dialog open and says why when the reason is missing, then saves a client's own period", async () => {
    const backend = installBackend(["Acme"]);
    render(<Retention />);
    await userEvent.click(await screen.findByTestId("edit-policy-leads-Acme"));
    const days = screen.getByTestId("policy-days");
    await userEvent.clear(days);
    await userEvent.type(days, "365");
    await userEvent.click(screen.getByTestId("policy-save"));
    expect((await screen.findByRole("alert")).textContent).toContain("needs its reason");
    expect(backend.policies).toEqual({});
    await userEvent.type(screen.getByTestId("policy-reason"), "Acme agreement, clause 7");
    await userEvent.click(screen.getByTestId("policy-save"));
    expect(await screen.findByText("(own)")).toBeTruthy();
    expect(backend.policies).toEqual({ Acme: 365 });
    expect(backend.audit[0]?.object).toContain("because Acme agreement, clause 7");
  });

  it("shows what a purge would remove, asks before it purges, and hands back a receipt", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"));
    render(<Retention />);
    await userEvent.click(await screen.findByTestId("purge-dry-run"));
    expect((await screen.findByTestId("purge-plan")).textContent).toContain("would remove 2 leads of Acme");
    expect(backend.leads).toHaveLength(2);

    await userEvent.click(screen.getByTestId("purge-now"));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog.textContent).toContain("2 leads of Acme (kept 90 days)");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(backend.leads).toHaveLength(2);

    await userEvent.click(screen.getByTestId("purge-now"));
    await userEvent.click(await screen.findByTestId("confirm"));
    const receipt = await screen.findByTestId("purge-receipt");
    expect(receipt.textContent).toContain("Purged 2 leads of Acme");
    expect(receipt.textContent).toContain("entry #");
    expect(backend.leads).toHaveLength(0);
    expect(backend.audit[0]?.action).toBe("retention.purge");
  });

  it("places a hold on a person, which the purge then spares, and lifts it", async () => {
    const backend = installBackend(["Acme"]);
    render(<Retention />);
    expect(await screen.findByText("No legal holds.")).toBeTruthy();
    await userEvent.click(screen.getByTestId("add-hold"));
    await userEvent.click(screen.getByTestId("hold-person"));
    await userEvent.type(screen.getByTestId("hold-identifier"), "ann@example.com");
    await userEvent.type(screen.getByTestId("hold-reason"), "dispute");
    await userEvent.click(screen.getByTestId("hold-save"));
    const holds = await screen.findByTestId("holds");
    expect(holds.textContent).toContain("a person (email)");
    expect(holds.textContent).toContain("until lifted");
    expect(backend.holds[0]?.identifiers).toEqual(["email"]);
    await userEvent.click(within(holds).getByRole("button", { name: "Lift" }));
    expect(await screen.findByText("No legal holds.")).toBeTruthy();
  });

  it("says when the next purge is in words", () => {
    const now = new Date("2026-11-23T10:00:00Z");
    expect(fromNow("2026-11-23T09:00:00Z", now)).toBe("now");
    expect(fromNow("2026-11-23T10:30:00Z", now)).toBe("in 30 minutes");
    expect(fromNow("2026-11-24T09:00:00Z", now)).toBe("in 23 hours");
    expect(fromNow("2026-11-27T10:00:00Z", now)).toBe("in 4 days");
  });

  it("says under each reason that the audit trail keeps it, and takes at most 500 characters", async () => {
    installBackend(["Acme"]);
    render(<Retention />);
    await userEvent.click(await screen.findByTestId("edit-policy-leads-Acme"));
    const policyReason = screen.getByTestId("policy-reason");
    expect(policyReason.getAttribute("maxLength")).toBe("500");
    expect(screen.getByTestId("policy-reason-hint").textContent).toBe("Kept in the audit trail; at most 500 characters");
    expect(policyReason.getAttribute("aria-describedby")).toBe("policy-reason-hint");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByTestId("policy-reason")).toBeNull();

    await userEvent.click(screen.getByTestId("add-hold"));
    const holdReason = screen.getByTestId("hold-reason");
    expect(holdReason.getAttribute("maxLength")).toBe("500");
    expect(screen.getByTestId("hold-reason-hint").textContent).toBe("Kept in the audit trail; at most 500 characters");
  });
});
