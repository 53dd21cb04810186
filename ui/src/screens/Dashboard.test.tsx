import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { installBackend, lead, metaConnection } from "../test-backend";
import { Dashboard } from "./Dashboard";

describe("Dashboard", () => {
  it("shows the leads held per client, each client's rows together and the workspace's last", async () => {
    const backend = installBackend(["Beta", "Acme"]);
    backend.leads.push(...Array.from({ length: 1200 }, (_, i) => lead(i + 1, "Ann Lee")), lead(1201, "Cy Beta", "Beta"));
    render(<Dashboard onOpen={vi.fn()} />);

    const held = await screen.findByTestId("held");
    expect(within(held).getByRole("table", { name: "What is held" })).toBeTruthy();
    const acme = within(held).getByTestId("held-leads-Acme");
    expect(within(acme).getByRole("rowheader").textContent).toBe("Acme");
    expect(within(acme).getAllByRole("cell").map((c) => c.textContent)).toEqual(["leads", "1,200"]);
    expect(within(within(held).getByTestId("held-leads-Beta")).getAllByRole("cell").map((c) => c.textContent)).toEqual(["leads", "1"]);
    const audit = within(held).getByTestId("held-audit_entries-workspace");
    expect(within(audit).getAllByRole("cell").map((c) => c.textContent)).toEqual(["audit entries", "2"]);
    const groups = within(held).getAllByRole("rowgroup").slice(1).map((g) => within(g).getByRole("rowheader").textContent);
    expect(groups).toEqual(["Acme", "Beta", "Workspace"]);
  });

  it("says in About which version and commit this is", async () => {
    installBackend();
    render(<Dashboard onOpen={vi.fn()} />);
    expect((await screen.findByTestId("version")).textContent).toBe("0.1.0 (1a2b3c4d5e6f)");
    expect(screen.getByRole("heading", { name: "About" })).toBeTruthy();
  });

  it("says when a connection to Meta needs attention", async () => {
    const backend = installBackend();
    backend.connections.push(
      metaConnection({ id: "a" }),
      metaConnection({ id: "b", token_type: "USER", health: "expiring", health_reason: "it expires in 5 days" }),
      metaConnection({ id: "c", token_type: "USER", health: "log_in_again", health_reason: "the person logged out" }),
    );
    render(<Dashboard onOpen={vi.fn()} />);
    const card = await screen.findByTestId("meta-card");
    expect(within(card).getByTestId("meta-connections").textContent).toBe("3");
    expect(within(card).getByTestId("meta-attention").textContent).toBe(" — 2 need attention");
  });

  it("says when it is not connected to Meta, and opens Connections", async () => {
    installBackend();
    const onOpen = vi.fn();
    render(<Dashboard onOpen={onOpen} />);
    const card = await screen.findByTestId("meta-card");
    expect(card.textContent).toContain("Not connected to Meta");
    expect(within(card).queryByTestId("meta-attention")).toBeNull();
    await userEvent.click(within(card).getByRole("button", { name: "Manage connections" }));
    expect(onOpen).toHaveBeenCalledWith("connections");
  });

  it("says nothing is held in an empty workspace and opens Leads to import", async () => {
    installBackend();
    const onOpen = vi.fn();
    render(<Dashboard onOpen={onOpen} />);

    const held = await screen.findByTestId("held");
    expect(held.textContent).toContain("Nothing is held yet. Import a lead export file to begin.");
    expect(within(held).queryByRole("table")).toBeNull();
    await userEvent.click(within(held).getByRole("button", { name: "Import leads" }));
    expect(onOpen).toHaveBeenCalledWith("leads");
  });
});
