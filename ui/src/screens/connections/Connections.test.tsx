import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { api, CommandError } from "../../api";
import { installBackend, metaConnection } from "../../test-backend";
import { Connections } from "./Connections";

/** A workspace whose Meta app id is set, as connecting needs. */
function withApp(clients: string[] = []) {
  const backend = installBackend(clients);
  backend.metaApp.app_id = "1234";
  return backend;
}

async function typeToken(token: string) {
  await userEvent.click(await screen.findByRole("button", { name: "Add system-user token…" }));
  const field = screen.getByLabelText("Access token") as HTMLInputElement;
  await userEvent.type(field, token);
  return field;
}

describe("Connections screen", () => {
  it("says there are no connections yet and where a token comes from", async () => {
    installBackend();
    render(<Connections />);
    expect((await screen.findByTestId("connections-empty")).textContent).toBe(
      "No connections yet. Add a system-user token from your Business Manager.",
    );
  });

  it("connecting a token shows the connection and clears the token field", async () => {
    const backend = withApp();
    render(<Connections />);
    const field = await typeToken("EAAGsystem123");
    await userEvent.keyboard("{Enter}");

    const row = await screen.findByTestId("connection-row");
    const cells = within(row).getAllByRole("cell").map((c) => c.textContent);
    expect(cells.slice(0, 5)).toEqual([
      "SYSTEM_USER",
      "—",
      "leads_retrieval, pages_show_list, pages_read_engagement, pages_manage_metadata",
      "never",
      "OK",
    ]);
    expect(field.value).toBe("");
    expect((screen.getByRole("button", { name: "Connect" }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText("Connected a SYSTEM_USER token.")).toBeTruthy();
    expect(backend.connections).toHaveLength(1);
    expect(backend.audit[0]?.action).toBe("meta.connect");
  });

  it("connects a token for the client chosen", async () => {
    const backend = withApp(["Acme", "Globex"]);
    render(<Connections />);
    await typeToken("EAAGsystem123");
    await userEvent.selectOptions(screen.getByLabelText("Client (optional)"), "Globex");
    await userEvent.click(screen.getByRole("button", { name: "Connect" }));
    const row = await screen.findByTestId("connection-row");
    expect(within(row).getAllByRole("cell")[1]?.textContent).toBe("Globex");
    expect(backend.connections[0]?.client).toBe("Globex");
  });

  it("a refused token shows the reason and keeps the field", async () => {
    const backend = withApp();
    render(<Connections />);
    const field = await typeToken("EAAGfew123");
    await userEvent.keyboard("{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert.getAttribute("data-code")).toBe("invalid_input");
    expect(alert.textContent).toBe(
      "The token lacks pages_read_engagement, pages_manage_metadata: grant them to the app and generate the token again.",
    );
    expect(field.value).toBe("EAAGfew123");
    expect(screen.getByTestId("connections-empty")).toBeTruthy();
    expect(backend.audit[0]?.outcome).toBe("refused: invalid_input");

    await userEvent.clear(field);
    await userEvent.type(field, "EAAGexpired1{Enter}");
    expect((await screen.findByRole("alert")).getAttribute("data-code")).toBe("token_invalid");
    expect(screen.getByRole("alert").textContent).toContain("Meta no longer accepts this token (the token expired)");
    expect(field.value).toBe("EAAGexpired1");
  });

  it("asks for the app's id before a token can be checked", async () => {
    installBackend();
    render(<Connections />);
    await typeToken("EAAGsystem123{Enter}");
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Set the Meta app's id first: tokens are checked against the agency's own app.",
    );
  });

  it("the token never appears in the document after connecting, nor in what the backend keeps", async () => {
    const backend = withApp();
    const { container } = render(<Connections />);
    const token = "EAAGsecretsystemtoken42";
    await typeToken(token);
    expect(container.innerHTML).not.toContain(token);
    await userEvent.keyboard("{Enter}");
    await screen.findByTestId("connection-row");
    expect(document.documentElement.outerHTML).not.toContain(token);
    expect(JSON.stringify(backend)).not.toContain(token);
  });

  it("shows a USER token's expiry and health, and Meta's reason when it must log in again", async () => {
    const backend = withApp();
    backend.connections.push(
      metaConnection({ id: "old", token_type: "USER", client: null, health: "log_in_again", health_reason: "the password was changed" }),
    );
    render(<Connections />);
    expect((await screen.findByTestId("health")).textContent).toBe("Log in again (the password was changed)");

    await typeToken("EAAGuser123{Enter}");
    await waitFor(() => expect(screen.getAllByTestId("connection-row")).toHaveLength(2));
    const row = screen.getAllByTestId("connection-row")[1]!;
    expect(within(row).getByText("in 5 days").tagName).toBe("TIME");
    expect(within(row).getByTestId("health").textContent).toBe("Expiring (it expires in 5 days)");
  });

  it("disconnecting asks first with Cancel focused, and a USER token's dialog mentions revoking at Meta", async () => {
    const backend = withApp();
    render(<Connections />);
    await typeToken("EAAGuser123{Enter}");
    await userEvent.click(await screen.findByRole("button", { name: "Disconnect the USER token" }));

    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByRole("heading").textContent).toBe("Disconnect this USER token?");
    expect(within(dialog).getByTestId("disconnect-consequences").textContent).toBe(
      "Its token is removed from the keychain. Its permissions are revoked at Meta. Leads synced through it stay.",
    );
    expect(document.activeElement?.textContent).toBe("Cancel");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(backend.connections).toHaveLength(1);

    await userEvent.click(screen.getByRole("button", { name: "Disconnect the USER token" }));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Disconnect" }));
    expect((await screen.findByTestId("disconnected")).textContent).toContain("Meta revoked its permissions");
    expect(await screen.findByTestId("connections-empty")).toBeTruthy();
    expect(backend.keychain).toEqual([]);
    expect(backend.audit[0]?.object).toMatch(/USER token, revoked at Meta$/);
  });

  it("a SYSTEM_USER token's dialog does not speak of Meta", async () => {
    withApp(["Acme"]);
    render(<Connections />);
    await typeToken("EAAGsystem123");
    await userEvent.selectOptions(screen.getByLabelText("Client (optional)"), "Acme");
    await userEvent.click(screen.getByRole("button", { name: "Connect" }));
    await userEvent.click(await screen.findByRole("button", { name: "Disconnect the SYSTEM_USER token of Acme" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByRole("heading").textContent).toBe("Disconnect this SYSTEM_USER token?");
    expect(within(dialog).getByTestId("disconnect-consequences").textContent).toBe(
      "Its token is removed from the keychain. Leads synced through it stay.",
    );
    await userEvent.click(within(dialog).getByRole("button", { name: "Disconnect" }));
    expect((await screen.findByTestId("disconnected")).textContent).not.toContain("Meta");
  });

  it("shows Meta's answer when revoking a user token fails, the connection gone all the same", async () => {
    const backend = withApp();
    backend.revokeError = "Meta refused the call (code 100): Unsupported delete request";
    render(<Connections />);
    await typeToken("EAAGuser123{Enter}");
    await userEvent.click(await screen.findByRole("button", { name: "Disconnect the USER token" }));
    await userEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Disconnect" }));
    const note = await screen.findByTestId("disconnected");
    expect(note.textContent).toContain("Meta did not revoke its permissions: Meta refused the call (code 100): Unsupported delete request");
    expect(backend.connections).toHaveLength(0);
  });

  it("the backend disconnects nothing unconfirmed", async () => {
    const backend = withApp();
    backend.connections.push(metaConnection());
    const refused = await api.meta.disconnect(backend.connections[0]!.id, false).catch((e: unknown) => e);
    expect((refused as CommandError).code).toBe("confirmation_required");
    expect(backend.connections).toHaveLength(1);
  });

  it("the app secret is shown only as set or not set, and its field is cleared after saving", async () => {
    const backend = installBackend();
    const { container } = render(<Connections />);
    expect((await screen.findByTestId("secret-state")).textContent).toBe("Not set");
    expect(screen.getByText(/only short-lived logins are possible/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Remove secret" })).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Set secret…" }));
    const field = screen.getByLabelText("New app secret") as HTMLInputElement;
    expect(field.type).toBe("password");
    await userEvent.type(field, "s3cr3tvalue{Enter}");
    await waitFor(() => expect(screen.getByTestId("secret-state").textContent).toBe("Set"));
    expect(screen.queryByLabelText("New app secret")).toBeNull();
    expect(container.innerHTML).not.toContain("s3cr3tvalue");
    expect(JSON.stringify(backend)).not.toContain("s3cr3tvalue");

    await userEvent.click(screen.getByRole("button", { name: "Remove secret" }));
    await waitFor(() => expect(screen.getByTestId("secret-state").textContent).toBe("Not set"));
    expect(backend.keychain).toEqual([]);
  });

  it("keeps a secret with a space in the field and says why", async () => {
    installBackend();
    render(<Connections />);
    await userEvent.click(await screen.findByRole("button", { name: "Set secret…" }));
    const field = screen.getByLabelText("New app secret") as HTMLInputElement;
    await userEvent.type(field, "two words{Enter}");
    expect((await screen.findByRole("alert")).getAttribute("data-code")).toBe("invalid_input");
    expect(field.value).toBe("two words");
    expect(screen.getByTestId("secret-state").textContent).toBe("Not set");
  });

  it("saves the app id, the Graph API version and, under Advanced, the address", async () => {
    const backend = installBackend();
    render(<Connections />);
    const save = await screen.findByRole("button", { name: "Save" });
    expect((save as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(screen.getByLabelText("App id"), "1234");
    await userEvent.selectOptions(screen.getByLabelText("Graph API version"), "v26.0");
    await userEvent.click(save);
    await waitFor(() => expect(backend.metaApp).toEqual({ app_id: "1234", graph_version: "v26.0", graph_url: "https://graph.facebook.com", sync_minutes: 15 }));
    expect(screen.getByText("Saved the Meta app's settings.")).toBeTruthy();

    await userEvent.click(screen.getByText("Advanced"));
    const address = screen.getByLabelText("Graph API address");
    await userEvent.clear(address);
    await userEvent.type(address, "ftp://graph.example");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain("give an http or https URL");
    expect(backend.metaApp.graph_url).toBe("https://graph.facebook.com");
  });

  it("refuses an app id that is not digits, in the backend's words", async () => {
    const backend = installBackend();
    render(<Connections />);
    await userEvent.type(await screen.findByLabelText("App id"), "my-app{Enter}");
    expect((await screen.findByRole("alert")).textContent).toBe("'my-app' is not a Meta app id: it is the digits on App settings → Basic.");
    expect(backend.metaApp.app_id).toBeNull();
  });
});
