import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { installBackend, lead } from "../test-backend";
import { countdown, Requests } from "./Requests";

describe("Requests screen", () => {
  it("says what a request is for when there are none", async () => {
    installBackend();
    render(<Requests />);
    expect(await screen.findByText(/No requests yet/)).toBeTruthy();
  });

  it("counts down in words, amber and red being the backend's urgency", () => {
    expect(countdown({ urgency: "on_track", days_left: 30, due_on: "2026-12-22" })).toBe("30 days left");
    expect(countdown({ urgency: "due_soon", days_left: 1, due_on: "2026-12-22" })).toBe("1 day left");
    expect(countdown({ urgency: "due_soon", days_left: 0, due_on: "2026-12-22" })).toBe("due today");
    expect(countdown({ urgency: "overdue", days_left: -3, due_on: "2026-12-22" })).toBe("3 days overdue");
    expect(countdown({ urgency: "closed", days_left: -3, due_on: "2026-12-22" })).toBe("was due 2026-12-22");
  });

  it("keeps the form and shows why when a request has no identifier", async () => {
    const backend = installBackend();
    render(<Requests />);
    await userEvent.click(await screen.findByTestId("new-request"));
    await userEvent.click(screen.getByTestId("create-request"));
    expect((await screen.findByRole("alert")).textContent).toContain("at least one identifier");
    expect(screen.getByRole("form", { name: "New request" })).toBeTruthy();
    expect(backend.requests).toEqual([]);
  });

  it("records an erasure, finds the person's lead, erases it after confirmation and shows the receipt", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"));
    render(<Requests />);
    await userEvent.click(await screen.findByTestId("new-request"));
    await userEvent.selectOptions(screen.getByTestId("request-kind"), "erasure");
    await userEvent.type(screen.getByTestId("identifier-0"), "ann@example.com");
    await userEvent.click(screen.getByTestId("create-request"));

    const row = await screen.findByTestId("request-1");
    expect(row.textContent).toContain("ann@example.com");
    expect(row.textContent).toContain("30 days left");
    const detail = screen.getByTestId("request-detail");
    await userEvent.click(within(detail).getByTestId("find"));
    expect((await screen.findByTestId("found")).textContent).toContain("1 leads");

    await userEvent.click(within(detail).getByTestId("erase"));
    const dialog = await screen.findByRole("alertdialog");
    expect(dialog.textContent).toContain("deletes 1 leads");
    expect(backend.leads).toHaveLength(2);
    await userEvent.click(within(dialog).getByTestId("confirm"));
    const receipt = await screen.findByTestId("receipt");
    expect(receipt.textContent).toContain("ER-ABCD-EFGH-JKMN");
    expect(receipt.textContent).toContain("1 leads");
    expect(backend.leads.map((l) => l.id)).toEqual([2]);
    expect((await screen.findByTestId("request-status")).textContent).toBe("Completed");
  });

  it("opens an erasure from a genuine deletion callback and refuses a forged one", async () => {
    const backend = installBackend();
    render(<Requests />);
    await userEvent.click(await screen.findByText("From Meta's deletion callback…"));
    const box = screen.getByLabelText("signed_request");
    await userEvent.type(box, "forged.payload");
    await userEvent.click(screen.getByText("Verify and open"));
    expect((await screen.findByRole("alert")).textContent).toContain("does not match");
    expect(backend.requests).toEqual([]);
    await userEvent.clear(box);
    await userEvent.type(box, "good.payload");
    await userEvent.click(screen.getByText("Verify and open"));
    expect((await screen.findByTestId("request-detail")).textContent).toContain("app_user_id: 987654321");
  });

  it("edits the processing information that exports quote", async () => {
    const backend = installBackend();
    render(<Requests />);
    await userEvent.click(await screen.findByText("Processing information…"));
    const purposes = await screen.findByLabelText(/Why the data is processed/);
    await userEvent.clear(purposes);
    await userEvent.type(purposes, "Test drives");
    const label = purposes.closest("label")!;
    await userEvent.click(within(label).getByText("Save"));
    expect((await screen.findByRole("status")).textContent).toContain("Why the data is processed");
    expect(backend.processing.purposes).toBe("Test drives");
  });
});
