import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { installBackend, lead } from "../test-backend";
import { Leads } from "./Leads";

describe("Leads screen", () => {
  it("says what to do when there are no leads", async () => {
    installBackend(["Acme"]);
    render(<Leads />);
    expect((await screen.findByTestId("leads-empty")).textContent).toContain("drop a lead export file");
  });

  it("imports a typed path into the only client and shows the summary with rejected lines", async () => {
    const backend = installBackend(["Acme"]);
    render(<Leads />);
    await screen.findByTestId("leads-empty");
    await userEvent.type(screen.getByTestId("import-path"), "/tmp/leads.csv{Enter}");
    const summary = await screen.findByTestId("import-summary");
    expect(summary.textContent).toContain("New leads1");
    expect(summary.textContent).toContain("Line 3: has 2 fields");
    expect(backend.imported).toEqual(["/tmp/leads.csv"]);
    await userEvent.click(within(summary).getByRole("button", { name: "Done" }));
    expect(await screen.findByText("Imported Person")).toBeTruthy();
  });

  it("asks for a client before importing when there are several", async () => {
    const backend = installBackend(["Acme", "Globex"]);
    render(<Leads />);
    await screen.findByTestId("leads-empty");
    await userEvent.type(screen.getByTestId("import-path"), "/tmp/leads.csv{Enter}");
    expect((await screen.findByRole("alert")).textContent).toContain("Choose the client");
    expect(backend.imported).toEqual([]);
  });

  it("searches, opens a lead's detail with every answer, and closes it with Escape", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"));
    render(<Leads />);
    expect((await screen.findByTestId("lead-count")).textContent).toBe("2 leads");
    await userEvent.type(screen.getByTestId("lead-search"), "bob");
    await screen.findByText("1 lead");
    await userEvent.click(await screen.findByText("Bob Stone"));
    const detail = await screen.findByTestId("lead-detail");
    expect(detail.textContent).toContain("what_is_your_budget?");
    expect(detail.textContent).toContain("leads.csv, line 3");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByTestId("lead-detail")).toBeNull();
  });
});
