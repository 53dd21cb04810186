import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { api, CommandError } from "../../api";
import { installBackend, metaConnection } from "../../test-backend";
import { Connections } from "./Connections";
import { choose } from "../../test-choose";

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

/** The app secret in the keychain, as a long-lived login needs. */
function withSecret(clients: string[] = []) {
  const backend = withApp(clients);
  backend.keychain.push("meta-app-secret/default");
  return backend;
}

const loginButton = () => screen.getByTestId("meta-login") as HTMLButtonElement;

describe("Connections screen", () => {
  it("says there are no connections yet and where a token comes from", async () => {
    installBackend();
    render(<Connections />);
    expect((await screen.findByTestId("connections-empty")).textContent).toBe(
      "No connections yet. Log in with Facebook, or add a system-user token from your Business Manager.",
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
    await choose(screen.getByLabelText("Client (optional)"), "Globex");
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
    await choose(screen.getByLabelText("Client (optional)"), "Acme");
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
    await choose(screen.getByLabelText("Graph API version"), "v26.0");
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

describe("Facebook Login", () => {
  it("logging in connects a user token, reads the Pages it reaches and lists them", async () => {
    const backend = withSecret();
    render(<Connections />);
    await waitFor(() => expect(loginButton().disabled).toBe(false));
    await userEvent.click(loginButton());

    expect((await screen.findByTestId("meta-login-connected")).textContent).toBe("Connected a USER token: 2 Pages found.");
    expect(screen.queryByTestId("meta-login-short-lived")).toBeNull();
    expect(screen.queryByTestId("meta-login-problems")).toBeNull();
    const row = await screen.findByTestId("connection-row");
    expect(within(row).getAllByRole("cell").map((c) => c.textContent).slice(0, 5)).toEqual([
      "USER",
      "—",
      "leads_retrieval, pages_show_list, pages_read_engagement, pages_manage_metadata",
      "in 60 days",
      "OK",
    ]);
    // The Pages list below is read again, not left empty until someone refreshes it.
    const pages = await screen.findAllByTestId("page-row");
    expect(pages.map((r) => within(r).getAllByRole("cell")[0]?.textContent)).toEqual(["Acme Outlet", "Acme Shoes"]);
    expect(backend.audit.some((e) => e.action === "meta.connect" && e.object.endsWith("(Facebook Login)"))).toBe(true);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("logs in for the client chosen", async () => {
    const backend = withSecret(["Acme", "Globex"]);
    render(<Connections />);
    await choose(await screen.findByLabelText("Log in for client"), "Globex");
    await userEvent.click(loginButton());
    expect((await screen.findByTestId("meta-login-connected")).textContent).toBe("Connected a USER token for Globex: 2 Pages found.");
    expect(within(await screen.findByTestId("connection-row")).getAllByRole("cell")[1]?.textContent).toBe("Globex");
    expect(backend.connections[0]?.client).toBe("Globex");
  });

  it("a login without the app secret warns that its token is short-lived, and says when it expires", async () => {
    withApp();
    render(<Connections />);
    await waitFor(() => expect(loginButton().disabled).toBe(false));
    await userEvent.click(loginButton());

    const warning = await screen.findByTestId("meta-login-short-lived");
    expect(warning.textContent).toContain("This token is short-lived.");
    expect(warning.textContent).toContain("Set the App secret above, then log in again, for a token that lasts 60 days.");
    expect(within(warning).getByText(new Date("2026-11-22T12:00:00Z").toLocaleString()).getAttribute("dateTime")).toBe("2026-11-22T12:00:00Z");
    const row = await screen.findByTestId("connection-row");
    expect(within(row).getByTestId("health").textContent).toBe("Expiring (it expires in 2 hours)");
  });

  it("says to finish in the login window while it is open, and a closed window is a calm note, not an error", async () => {
    const backend = withApp();
    backend.pauseLogin = true;
    render(<Connections />);
    await waitFor(() => expect(loginButton().disabled).toBe(false));
    await userEvent.click(loginButton());

    expect((await screen.findByTestId("meta-login-waiting")).textContent).toBe(
      "Finish logging in in the Facebook window that opened. Closing that window cancels the login.",
    );
    expect(screen.getByTestId("meta-login-waiting").getAttribute("role")).toBe("status");
    expect(loginButton().disabled).toBe(true);
    expect(loginButton().textContent).toBe("Waiting for Facebook…");

    backend.meta.login = "closed";
    act(() => backend.resume());
    expect((await screen.findByTestId("meta-login-cancelled")).textContent).toBe("Login cancelled; nothing was connected.");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByTestId("meta-login-waiting")).toBeNull();
    expect(screen.queryByTestId("meta-login-result")).toBeNull();
    expect(loginButton().disabled).toBe(false);
    expect(screen.getByTestId("connections-empty")).toBeTruthy();
    expect(backend.connections).toEqual([]);
  });

  it("declining at Facebook is a cancelled login too, and a later login connects", async () => {
    const backend = withSecret();
    backend.meta.login = "declined";
    render(<Connections />);
    await waitFor(() => expect(loginButton().disabled).toBe(false));
    await userEvent.click(loginButton());
    expect(await screen.findByTestId("meta-login-cancelled")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(backend.audit[0]?.outcome).toBe("refused: cancelled");

    backend.meta.login = "logged_in";
    await userEvent.click(loginButton());
    await screen.findByTestId("meta-login-connected");
    expect(screen.queryByTestId("meta-login-cancelled")).toBeNull();
    expect(backend.connections).toHaveLength(1);
  });

  it("shows what could not be read of the Pages, the login connected all the same", async () => {
    const backend = withSecret();
    // A connection whose token left the keychain: the login's read of the Pages says so.
    backend.connections.push(metaConnection({ id: "lost" }));
    render(<Connections />);
    await waitFor(() => expect(loginButton().disabled).toBe(false));
    await userEvent.click(loginButton());
    const problems = await screen.findByTestId("meta-login-problems");
    expect(within(problems).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "Connection lost's token is not in the keychain; connect it again.",
    ]);
    expect(screen.getByTestId("meta-login-connected").textContent).toBe("Connected a USER token: 2 Pages found.");
    await waitFor(() => expect(screen.getAllByTestId("connection-row")).toHaveLength(2));
    expect(backend.connections).toHaveLength(2);
  });

  it("cannot log in until the app id is set, and says so; saving the id allows it", async () => {
    const backend = installBackend();
    render(<Connections />);
    const hint = await screen.findByTestId("meta-login-needs-app");
    expect(hint.textContent).toBe("Set the Meta app's id above first: the login is to the agency's own app.");
    expect(loginButton().disabled).toBe(true);
    expect(loginButton().getAttribute("aria-describedby")).toBe(hint.id);

    await userEvent.type(screen.getByLabelText("App id"), "1234{Enter}");
    await waitFor(() => expect(loginButton().disabled).toBe(false));
    expect(screen.queryByTestId("meta-login-needs-app")).toBeNull();
    await userEvent.click(loginButton());
    await screen.findByTestId("meta-login-connected");
    expect(backend.connections[0]?.app_id).toBe("1234");
  });

  it("shows the objects a permission was granted for, when only some", async () => {
    const backend = withApp();
    backend.connections.push(
      metaConnection({ id: "all", client: null }),
      metaConnection({
        id: "some",
        token_type: "USER",
        targets: [
          { scope: "leads_retrieval", target_ids: ["111", "222"] },
          { scope: "pages_show_list", target_ids: ["111"] },
          { scope: "whatsapp_business_messaging", target_ids: ["333"] },
        ],
      }),
    );
    render(<Connections />);
    const [all, some] = await screen.findAllByTestId("connection-row");
    expect(within(all!).queryByTestId("granted-for")).toBeNull();
    expect(within(within(some!).getByTestId("granted-for")).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "leads_retrieval: only Pages 111, 222",
      "pages_show_list: only Page 111",
      "whatsapp_business_messaging: only WhatsApp account 333",
    ]);
  });
});
