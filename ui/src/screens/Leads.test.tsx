import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { installBackend, interruptedImport, lead } from "../test-backend";
import { interruptedImports, Leads } from "./Leads";

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
    // The count is empty until the leads are counted.
    await waitFor(() => expect(screen.getByTestId("lead-count").textContent).toBe("2 leads"));
    await userEvent.type(screen.getByTestId("lead-search"), "bob");
    await screen.findByText("1 lead");
    await userEvent.click(await screen.findByText("Bob Stone"));
    const detail = await screen.findByTestId("lead-detail");
    expect(detail.textContent).toContain("what_is_your_budget?");
    expect(detail.textContent).toContain("leads.csv, line 3");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByTestId("lead-detail")).toBeNull();
  });

  it("offers to run an interrupted import again, runs it into its client with the summary, and then no longer mentions it", async () => {
    const backend = installBackend(["Acme", "Globex"]);
    backend.imports.push(interruptedImport("Globex", "spring.csv"));
    render(<Leads />);
    const notice = await screen.findByTestId("interrupted-imp-interrupted");
    expect(notice.textContent).toContain("The import of spring.csv into Globex was interrupted on 2026-11-21.");
    await userEvent.click(within(notice).getByRole("button", { name: "Run it again" }));
    const summary = await screen.findByTestId("import-summary");
    expect(summary.textContent).toContain("spring.csv into Globex");
    expect(backend.imported).toEqual(["/home/ada/spring.csv"]);
    expect(backend.leads.at(-1)?.client).toBe("Globex");
    await userEvent.click(within(summary).getByRole("button", { name: "Done" }));
    expect(screen.queryByTestId("interrupted-imports")).toBeNull();
    expect(await screen.findByText("Imported Person")).toBeTruthy();
  });

  it("lets an interrupted import's notice be dismissed without running it", async () => {
    const backend = installBackend(["Acme"]);
    backend.imports.push(interruptedImport());
    render(<Leads />);
    await userEvent.click(await screen.findByRole("button", { name: "Dismiss the notice about spring.csv" }));
    expect(screen.queryByTestId("interrupted-imports")).toBeNull();
    expect(backend.imported).toEqual([]);
  });

  it("counts an import as interrupted until the same file has been imported into the same client since", () => {
    const stopped = interruptedImport("Acme", "spring.csv");
    const later = { ...stopped, id: "imp-2", status: "completed", started_at: "2026-11-22T08:00:00Z" };
    expect(interruptedImports([stopped])).toEqual([stopped]);
    expect(interruptedImports([later, stopped])).toEqual([]);
    expect(interruptedImports([{ ...later, client: "Globex" }, stopped])).toEqual([stopped]);
    expect(interruptedImports([{ ...later, status: "failed" }, stopped])).toEqual([stopped]);
    expect(interruptedImports([{ ...stopped, status: "completed" }])).toEqual([]);
  });

  it("asks before an export replaces an existing file, keeps it on Cancel and replaces it on confirmation", async () => {
    const backend = installBackend(["Acme"]);
    backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"));
    backend.files.push("/home/ada/leads.csv");
    backend.saveAs = "/home/ada/leads.csv";
    render(<Leads />);
    await screen.findByText("2 leads");
    await userEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByRole("heading").textContent).toBe("/home/ada/leads.csv exists. Replace it?");
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect((await screen.findByRole("status")).textContent).toContain("Nothing was exported");
    expect(backend.audit.some((e) => e.action === "lead.export")).toBe(false);

    await userEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Replace" }));
    expect((await screen.findByRole("status")).textContent).toBe("Exported 2 leads to /home/ada/leads.csv.");
    expect(backend.audit.filter((e) => e.action === "lead.export")).toHaveLength(1);
  });
});
