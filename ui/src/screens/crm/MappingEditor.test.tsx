import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { api, CommandError, type Crm, type CrmConnection } from "../../api";
import { installBackend, lead } from "../../test-backend";
import { Connections } from "../connections/Connections";
import { MappingEditor } from "./MappingEditor";
import { choose } from "../../test-choose";

/** Acme with two leads of form 4 ("Test drive"), Bob Stone's the newest, and its CRM connected. */
async function connected(crm: Crm = "hubspot") {
  const backend = installBackend(["Acme"]);
  backend.leads.push(lead(1, "Ann Lee"), lead(2, "Bob Stone"));
  const connection = await api.crm.connect(crm, "Acme", "pat-na1-123", crm === "salesforce" ? "https://acme.my.salesforce.com" : null);
  return { backend, connection };
}

async function openOnForm(connection: CrmConnection, onClose = () => {}) {
  render(<MappingEditor connection={connection} client="Acme" onClose={onClose} />);
  const form = (await screen.findByTestId("crm-map-form")) as HTMLSelectElement;
  await screen.findByRole("option", { name: "Test drive (2 leads)" });
  await choose(form, "4");
  return form;
}

/** The preview waits for the draft to rest before it asks: longer than waitFor's default allows on a busy machine. */
const PREVIEWED = { timeout: 3000 };
const body = async (expected: unknown) =>
  waitFor(() => expect(JSON.parse(screen.getByTestId("crm-preview-body").textContent ?? "")).toEqual(expected), PREVIEWED);
const problems = () => within(screen.getByTestId("crm-preview-problems")).getAllByRole("listitem").map((li) => li.textContent);
const rule = (field: string) => screen.getAllByTestId("crm-rule").find((r) => r.dataset.field === field)!;
const saveButton = () => screen.getByTestId("crm-map-save") as HTMLButtonElement;

describe("Mapping editor", () => {
  it("lists the client's forms, the form's answers and the CRM's fields with the required ones marked", async () => {
    const { connection } = await connected("salesforce");
    const form = await openOnForm(connection);
    expect([...form.options].map((o) => o.text)).toEqual(["Choose a form", "Test drive (2 leads)"]);
    const keys = within(await screen.findByTestId("crm-map-keys")).getAllByRole("listitem").map((li) => li.textContent);
    expect(keys.slice(0, 2)).toEqual(["id", "created_time"]);
    expect(keys.slice(-3)).toEqual(["full_name", "email", "what_is_your_budget?"]);
    const fields = within(await screen.findByTestId("crm-map-fields")).getAllByRole("listitem");
    expect(fields.filter((f) => f.dataset.required).map((f) => f.textContent)).toEqual([
      "Last Name (LastName) required · not mapped yet",
      "Company required · not mapped yet",
    ]);
    expect(screen.getByTestId("crm-rules-empty")).toBeTruthy();
  });

  it("a suggestion fills the draft and says what it could not; adding the missing field lets it be saved", async () => {
    const { backend, connection } = await connected("salesforce");
    await openOnForm(connection);
    await userEvent.click(await screen.findByTestId("crm-map-suggest"));

    await waitFor(() => expect(screen.getAllByTestId("crm-rule").map((r) => r.dataset.field)).toEqual(["Email", "FirstName", "LastName"]));
    expect(screen.getByTestId("crm-map-unmet").textContent).toBe("No answer matched Company, which Salesforce requires: add a rule for it.");
    await waitFor(() => expect(problems()).toEqual(["Company: Salesforce needs it to create a record"]), PREVIEWED);
    expect(saveButton().disabled).toBe(true);

    await userEvent.click(screen.getByTestId("crm-map-add"));
    await choose(within(rule("Company")).getByTestId("crm-rule-source"), "constant");
    await userEvent.type(within(rule("Company")).getByLabelText("Constant for Company"), "Acme Shoes");
    await body({ Email: "bob@example.com", FirstName: "Bob", LastName: "Stone", Company: "Acme Shoes" });
    expect(screen.queryByTestId("crm-preview-problems")).toBeNull();
    expect(screen.getByTestId("crm-preview-lead-shown").textContent).toBe("Lead 2 (Meta lead id 1002)");
    await waitFor(() => expect(saveButton().disabled).toBe(false), PREVIEWED);

    await userEvent.click(saveButton());
    expect((await screen.findByTestId("crm-map-saved")).textContent).toBe("Saved version 1");
    expect(screen.getByTestId("crm-map-kept").textContent).toContain("Version 1 kept");
    // Saving it again would only keep an identical version.
    expect(saveButton().disabled).toBe(true);
    expect(backend.mappings[`${connection.id}/4`]?.at(-1)?.mapping.fields).toEqual([
      { to: "Email", from: "email", transform: "email" },
      { to: "FirstName", from: "full_name", transform: "first_name" },
      { to: "LastName", from: "full_name", transform: "last_name" },
      { to: "Company", constant: "Acme Shoes" },
    ]);
    expect(backend.audit[0]?.object).toMatch(/form 4 version 1$/);
  });

  it("opens on the kept mapping; a draft that drops a required field lists the problem and cannot be saved", async () => {
    const { connection } = await connected("pipedrive");
    await api.crm.setMapping("Acme", "4", connection.id, await api.crm.suggest("Acme", "4", connection.id));
    await openOnForm(connection);

    await waitFor(() => expect(screen.getAllByTestId("crm-rule").map((r) => r.dataset.field)).toEqual(["email", "name"]));
    expect(screen.getByTestId("crm-map-kept").textContent).toContain("Version 1 kept");
    await body({ name: "Bob Stone", emails: [{ value: "bob@example.com", primary: true, label: "work" }] });

    await userEvent.click(within(rule("name")).getByRole("button", { name: "Remove the rule for Name" }));
    await waitFor(() => expect(problems()).toEqual(["name: Pipedrive needs it to create a record"]), PREVIEWED);
    expect(saveButton().disabled).toBe(true);
    expect(screen.getByText("Changes not saved yet.")).toBeTruthy();
  });

  it("the backend keeps no mapping that does not check out, and lists every problem", async () => {
    const { backend, connection } = await connected("salesforce");
    const refused = await api.crm
      .setMapping("Acme", "4", connection.id, { crm: "salesforce", form: "4", fields: [{ to: "Email", from: "nickname" }] })
      .catch((e: unknown) => e as CommandError);
    expect((refused as CommandError).code).toBe("invalid_input");
    expect((refused as CommandError).message).toBe(
      "The mapping was not kept:\n- Email: the form's leads have no answer 'nickname'\n- LastName: Salesforce needs it to create a record\n- Company: Salesforce needs it to create a record",
    );
    expect(backend.mappings).toEqual({});
  });

  it("the live preview follows every change of a rule, and of the lead previewed", async () => {
    const { connection } = await connected();
    await openOnForm(connection);
    await userEvent.click(await screen.findByTestId("crm-map-suggest"));
    const hubspot = (properties: Record<string, string>) => ({ inputs: [{ id: properties.email, idProperty: "email", properties }] });
    await body(hubspot({ email: "bob@example.com", firstname: "Bob", lastname: "Stone" }));

    await choose(within(rule("firstname")).getByLabelText("Transform for First name"), "None");
    await body(hubspot({ email: "bob@example.com", firstname: "Bob Stone", lastname: "Stone" }));

    await userEvent.type(screen.getByLabelText("Lead to preview"), "1");
    await body(hubspot({ email: "ann@example.com", firstname: "Ann Lee", lastname: "Lee" }));
    expect(screen.getByTestId("crm-preview-lead-shown").textContent).toBe("Lead 1 (Meta lead id 1001)");

    // Without the email HubSpot cannot match the contact: the preview says so instead of a body.
    await userEvent.click(within(rule("email")).getByRole("button", { name: "Remove the rule for Email" }));
    await waitFor(() => expect(problems()).toEqual(["email: HubSpot contacts are matched by email: map the lead's email to it"]), PREVIEWED);
    expect(screen.queryByTestId("crm-preview-body")).toBeNull();
  });

  it("maps a multiple-choice answer's values to the CRM field's options", async () => {
    const { connection } = await connected("salesforce");
    await openOnForm(connection);
    await userEvent.click(await screen.findByTestId("crm-map-suggest"));
    await userEvent.click(await screen.findByTestId("crm-map-add"));
    await choose(within(rule("Company")).getByLabelText("Rule 4: CRM field"), "Status");
    const status = rule("Status");
    await choose(within(status).getByLabelText("Answer for Lead Status"), "what_is_your_budget?");
    await waitFor(() => expect(problems()).toEqual(["Company: Salesforce needs it to create a record"]), PREVIEWED);

    await userEvent.click(within(status).getByRole("button", { name: "Add a value" }));
    await userEvent.type(within(status).getByLabelText("Answer value 1 for Lead Status"), "under_1000");
    await choose(within(status).getByLabelText("Lead Status option for value 1"), "Working - Contacted");
    await userEvent.click(screen.getByTestId("crm-map-add"));
    await choose(within(rule("Company")).getByTestId("crm-rule-source"), "constant");
    await userEvent.type(within(rule("Company")).getByLabelText("Constant for Company"), "Acme");
    await body({ Email: "bob@example.com", FirstName: "Bob", LastName: "Stone", Status: "Working - Contacted", Company: "Acme" });
  });

  it("exports the kept mapping as JSON and imports one as a new version", async () => {
    const { backend, connection } = await connected("pipedrive");
    await api.crm.setMapping("Acme", "4", connection.id, await api.crm.suggest("Acme", "4", connection.id));
    backend.saveAs = "/home/ada/mapping.json";
    await openOnForm(connection);

    await userEvent.click(await screen.findByTestId("crm-map-export"));
    expect(await screen.findByText("Exported version 1 to /home/ada/mapping.json.")).toBeTruthy();
    expect(JSON.parse(backend.texts["/home/ada/mapping.json"] ?? "")).toEqual({
      crm: "pipedrive", form: "4", fields: [{ to: "email", from: "email", transform: "email" }, { to: "name", from: "full_name", transform: "trim" }],
    });

    backend.texts["/home/ada/edited.json"] = JSON.stringify({ crm: "pipedrive", form: "4", fields: [{ to: "name", from: "full_name" }] });
    backend.openAs = "/home/ada/edited.json";
    await userEvent.click(screen.getByTestId("crm-map-import"));
    expect((await screen.findByTestId("crm-map-saved")).textContent).toBe("Imported /home/ada/edited.json as version 2");
    expect(screen.getAllByTestId("crm-rule").map((r) => r.dataset.field)).toEqual(["name"]);
    await body({ name: "Bob Stone" });

    backend.texts["/home/ada/other.json"] = JSON.stringify({ crm: "hubspot", form: "4", fields: [] });
    backend.openAs = "/home/ada/other.json";
    await userEvent.click(screen.getByTestId("crm-map-import"));
    expect((await screen.findByRole("alert")).textContent).toBe("The mapping is for form 4 and HubSpot, not form 4 and Pipedrive.");
    expect(backend.mappings[`${connection.id}/4`]).toHaveLength(2);
  });

  it("closes with Escape", async () => {
    const { connection } = await connected();
    const onClose = vi.fn();
    await openOnForm(connection, onClose);
    await userEvent.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledOnce();
  });

  it("opens from the connection's row, focused on the form, and gives the focus back on closing", async () => {
    await connected();
    render(<Connections />);
    const open = await screen.findByRole("button", { name: "Map fields for HubSpot of Acme" });
    await userEvent.click(open);
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByRole("heading", { level: 2 }).textContent).toBe("Map Acme's leads to HubSpot");
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByTestId("crm-map-form")));
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(document.activeElement).toBe(open);
  });
});
