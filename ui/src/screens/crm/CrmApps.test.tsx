import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { api, CommandError } from "../../api";
import { installBackend } from "../../test-backend";
import { Connections } from "../connections/Connections";
import { choose } from "../../test-choose";

const cells = (row: HTMLElement) => within(row).getAllByRole("cell").map((c) => c.textContent);
const refusal = (e: unknown) => (e as CommandError).code;

/** Sets an app in the CRM apps card as a person would; `secret` goes in the password field. */
async function setApp(clientId: string, secret = "", crm = "HubSpot") {
  const form = await screen.findByTestId("crm-app-form");
  await choose(within(form).getByLabelText("CRM"), crm);
  const id = within(form).getByLabelText("Client id");
  await userEvent.clear(id);
  await userEvent.type(id, clientId);
  const field = within(form).getByLabelText("Client secret") as HTMLInputElement;
  if (secret) await userEvent.type(field, secret);
  await userEvent.click(within(form).getByRole("button", { name: "Save app" }));
  return { form, field };
}

/** Acme, and the agency's HubSpot app set without a secret. */
async function withApp() {
  const backend = installBackend(["Acme"]);
  await api.crm.setApp({ crm: "hubspot", client_id: "hub-client-1" }, null);
  return backend;
}

async function startSignIn(crm = "HubSpot") {
  const form = await screen.findByTestId("crm-connect");
  // The clients come in after the form shows.
  await within(form).findByRole("option", { name: "Acme" });
  await choose(within(form).getByLabelText("Client"), "Acme");
  await userEvent.click(within(form).getByRole("button", { name: `Sign in to ${crm}` }));
  return form;
}

describe("CRM apps", () => {
  it("says there are none yet", async () => {
    installBackend(["Acme"]);
    render(<Connections />);
    const card = await screen.findByTestId("crm-apps");
    expect(within(card).getByRole("heading", { level: 3 }).textContent).toBe("CRM apps");
    expect((await within(card).findByTestId("crm-apps-empty")).textContent).toBe(
      "No CRM apps yet: connections are made with tokens. Set an app to sign in through the browser.",
    );
  });

  it("saving an app keeps its secret only in the keychain, clears the field, and lists the app with the redirect URL to copy", async () => {
    const backend = installBackend(["Acme"]);
    const user = userEvent.setup();
    const { container } = render(<Connections />);
    const { form, field } = await setApp("hub-client-1", "hub-secret-1");
    expect(field.type).toBe("password");

    const row = await screen.findByTestId("crm-app-row");
    expect(cells(row).slice(0, 4)).toEqual(["HubSpot", "hub-client-1", "secret in the keychain", "https://app.hubspot.com"]);
    expect(within(row).getByText("http://127.0.0.1:47817/callback")).toBeTruthy();
    expect(field.value).toBe("");
    expect(screen.getByText("Saved the HubSpot app; its secret is in the keychain.")).toBeTruthy();
    expect(backend.keychain).toEqual(["crm-app-secret/hubspot"]);
    expect(backend.audit[0]?.action).toBe("crm.app");
    expect(container.innerHTML).not.toContain("hub-secret-1");
    expect(JSON.stringify(backend.crmApps)).not.toContain("hub-secret-1");
    expect(screen.queryByTestId("crm-apps-empty")).toBeNull();

    await user.click(within(row).getByRole("button", { name: "Copy the HubSpot redirect URL" }));
    expect(await navigator.clipboard.readText()).toBe("http://127.0.0.1:47817/callback");
    expect(within(row).getByText("Copied.")).toBeTruthy();

    // Saved again without a secret: the one in the keychain stays.
    expect(within(form).getByText("Leave it empty to keep the HubSpot app's secret that is in the keychain.")).toBeTruthy();
    await setApp("hub-client-2");
    await waitFor(() => expect(cells(screen.getByTestId("crm-app-row"))[1]).toBe("hub-client-2"));
    expect(cells(screen.getByTestId("crm-app-row"))[2]).toBe("secret in the keychain");
    expect(screen.getByText("Saved the HubSpot app.")).toBeTruthy();
    expect(backend.keychain).toEqual(["crm-app-secret/hubspot"]);
  });

  it("choosing a CRM with an app fills in what it has, so that replacing it keeps its server and port", async () => {
    const backend = installBackend(["Acme"]);
    await api.crm.setApp({ crm: "salesforce", client_id: "sf-client", auth_url: "https://test.salesforce.com/", redirect_port: 8765 }, null);
    render(<Connections />);
    const row = await screen.findByTestId("crm-app-row");
    expect(cells(row).slice(0, 4)).toEqual(["Salesforce", "sf-client", "no secret", "https://test.salesforce.com"]);
    expect(within(row).getByText("http://127.0.0.1:8765/callback")).toBeTruthy();

    const form = screen.getByTestId("crm-app-form");
    // The form opens on the first app there is.
    expect((within(form).getByLabelText("CRM") as HTMLSelectElement).value).toBe("salesforce");
    expect((within(form).getByLabelText("Client id") as HTMLInputElement).value).toBe("sf-client");
    await choose(within(form).getByLabelText("CRM"), "HubSpot");
    expect((within(form).getByLabelText("Client id") as HTMLInputElement).value).toBe("");
    expect((within(form).getByLabelText("Authorization server (optional)") as HTMLInputElement).placeholder).toBe("https://app.hubspot.com");
    await choose(within(form).getByLabelText("CRM"), "Salesforce");
    expect((within(form).getByLabelText("Authorization server (optional)") as HTMLInputElement).value).toBe("https://test.salesforce.com");
    expect((within(form).getByLabelText("Redirect port (optional)") as HTMLInputElement).value).toBe("8765");

    await setApp("sf-client-2", "", "Salesforce");
    await waitFor(() => expect(cells(screen.getByTestId("crm-app-row"))[1]).toBe("sf-client-2"));
    expect(backend.crmApps).toEqual([{ crm: "salesforce", client_id: "sf-client-2", auth_url: "https://test.salesforce.com", redirect_port: 8765 }]);
  });

  it("an app the backend refuses shows its answer and keeps nothing", async () => {
    const backend = installBackend(["Acme"]);
    render(<Connections />);
    const form = await screen.findByTestId("crm-app-form");
    await userEvent.type(within(form).getByLabelText("Client id"), "hub-client-1");
    await userEvent.type(within(form).getByLabelText("Client secret"), "hub-secret-1");
    await userEvent.type(within(form).getByLabelText("Authorization server (optional)"), "login.example.com");
    await userEvent.click(within(form).getByRole("button", { name: "Save app" }));
    const alert = await within(form).findByRole("alert");
    expect(alert.getAttribute("data-code")).toBe("invalid_input");
    expect(alert.textContent).toBe("'login.example.com' is not a usable address for HubSpot's authorization server");
    expect(backend.crmApps).toEqual([]);
    expect(backend.keychain).toEqual([]);
    // The secret is left in its field, so that it need not be typed again.
    expect((within(form).getByLabelText("Client secret") as HTMLInputElement).value).toBe("hub-secret-1");

    await userEvent.clear(within(form).getByLabelText("Authorization server (optional)"));
    await userEvent.type(within(form).getByLabelText("Redirect port (optional)"), "70000");
    await userEvent.click(within(form).getByRole("button", { name: "Save app" }));
    expect((await within(form).findByRole("alert")).textContent).toBe("'70000' is not a port: give a whole number up to 65535, or leave it empty.");
    expect(backend.crmApps).toEqual([]);
  });

  it("cannot save an app without its client id", async () => {
    installBackend(["Acme"]);
    render(<Connections />);
    const form = await screen.findByTestId("crm-app-form");
    const save = within(form).getByRole("button", { name: "Save app" }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await userEvent.type(within(form).getByLabelText("Client id"), "   ");
    expect(save.disabled).toBe(true);
    expect(await api.crm.setApp({ crm: "hubspot", client_id: " " }, null).catch(refusal)).toBe("invalid_input");
  });

  it("removing an app takes its secret from the keychain and says so", async () => {
    const backend = installBackend(["Acme"]);
    await api.crm.setApp({ crm: "hubspot", client_id: "hub-client-1" }, "hub-secret-1");
    await api.crm.setApp({ crm: "pipedrive", client_id: "pd-client-1" }, null);
    render(<Connections />);
    await waitFor(() => expect(screen.getAllByTestId("crm-app-row").map((r) => cells(r)[0])).toEqual(["HubSpot", "Pipedrive"]));

    await userEvent.click(screen.getByRole("button", { name: "Remove the HubSpot app" }));
    await waitFor(() => expect(screen.getAllByTestId("crm-app-row")).toHaveLength(1));
    expect(screen.getByText("Removed the HubSpot app; its secret left the keychain.")).toBeTruthy();
    expect(document.activeElement?.textContent).toBe("CRM apps");
    expect(backend.keychain).toEqual([]);
    expect(backend.audit[0]?.action).toBe("crm.app.remove");

    await userEvent.click(screen.getByRole("button", { name: "Remove the Pipedrive app" }));
    expect(await screen.findByTestId("crm-apps-empty")).toBeTruthy();
    expect(screen.getByText("Removed the Pipedrive app.")).toBeTruthy();
    expect(backend.crmApps).toEqual([]);
    expect(await api.crm.removeApp("pipedrive").catch(refusal)).toBe("invalid_input");
  });
});

describe("Signing in to a CRM through the browser", () => {
  it("an app set, the sign-in shows the address to copy while it waits, then the connection", async () => {
    const backend = installBackend(["Acme"]);
    backend.pauseSignIn = true;
    const user = userEvent.setup();
    render(<Connections />);
    const connect = await screen.findByTestId("crm-connect");
    // Without an app, a token is asked for.
    expect((within(connect).getByLabelText("Paste a token") as HTMLInputElement).checked).toBe(true);
    expect(within(connect).getByLabelText("Token")).toBeTruthy();
    expect(within(connect).getByTestId("crm-connect-needs-app").textContent).toBe(
      "Signing in to HubSpot through the browser needs the client id of the agency's HubSpot app: set it under CRM apps below.",
    );

    await setApp("hub-client-1", "hub-secret-1");
    await screen.findByTestId("crm-app-row");
    // With one, the browser is the way unless a token is chosen.
    expect((within(connect).getByLabelText("Sign in through the browser") as HTMLInputElement).checked).toBe(true);
    expect(within(connect).queryByLabelText("Token")).toBeNull();
    expect(within(connect).queryByTestId("crm-connect-needs-app")).toBeNull();

    await startSignIn();
    const waiting = await within(connect).findByTestId("crm-sign-in-waiting");
    expect(within(waiting).getByText("Waiting for HubSpot in your browser…")).toBeTruthy();
    const address = (await within(waiting).findByLabelText("Sign-in address")) as HTMLInputElement;
    const url = new URL(address.value);
    expect(`${url.origin}${url.pathname}`).toBe("https://app.hubspot.com/oauth/authorize");
    expect(url.searchParams.get("client_id")).toBe("hub-client-1");
    expect(url.searchParams.get("redirect_uri")).toBe("http://127.0.0.1:47817/callback");
    expect((within(connect).getByRole("button", { name: "Waiting for HubSpot…" }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(within(waiting).getByRole("button", { name: "Copy the sign-in address" }));
    expect(await navigator.clipboard.readText()).toBe(address.value);

    backend.pauseSignIn = false;
    act(() => backend.resume());
    const row = await screen.findByTestId("crm-row");
    expect(cells(row).slice(0, 4)).toEqual(["HubSpot", "Acme", "https://api.hubapi.com", "OK"]);
    expect(screen.getByText("Connected HubSpot for Acme.")).toBeTruthy();
    expect(within(connect).queryByTestId("crm-sign-in-waiting")).toBeNull();
    expect(backend.crmConnections[0]?.oauth).toBe(true);
    const id = backend.crmConnections[0]!.id;
    expect(backend.keychain).toEqual(["crm-app-secret/hubspot", `crm-token/${id}`, `crm-refresh/${id}`]);
    expect(backend.audit[0]?.object).toContain("signed in through the browser");
  });

  it("without an app for the CRM, the sign-in is refused in the backend's words", async () => {
    const backend = installBackend(["Acme"]);
    render(<Connections />);
    const connect = await screen.findByTestId("crm-connect");
    await userEvent.click(within(connect).getByLabelText("Sign in through the browser"));
    expect(within(connect).queryByLabelText("Token")).toBeNull();
    await startSignIn();
    const alert = await within(connect).findByRole("alert");
    expect(alert.getAttribute("data-code")).toBe("invalid_input");
    expect(alert.textContent).toBe("Signing in to HubSpot through the browser needs the agency's HubSpot app: set its client id first.");
    expect(within(connect).queryByTestId("crm-sign-in-cancelled")).toBeNull();
    expect(screen.getByTestId("crm-empty")).toBeTruthy();
    expect(backend.crmConnections).toEqual([]);
  });

  it("cancelling the wait is a calm note, not an error, and the keyboard comes back to the form", async () => {
    const backend = await withApp();
    backend.pauseSignIn = true;
    render(<Connections />);
    const connect = await startSignIn();
    await within(connect).findByLabelText("Sign-in address");

    await userEvent.click(within(connect).getByRole("button", { name: "Cancel" }));
    expect((await within(connect).findByTestId("crm-sign-in-cancelled")).textContent).toBe("The HubSpot sign-in was cancelled; nothing was connected.");
    expect(within(connect).queryByRole("alert")).toBeNull();
    expect(within(connect).queryByTestId("crm-sign-in-waiting")).toBeNull();
    const submit = within(connect).getByRole("button", { name: "Sign in to HubSpot" }) as HTMLButtonElement;
    expect(submit.disabled).toBe(false);
    await waitFor(() => expect(document.activeElement).toBe(submit));
    expect(backend.crmConnections).toEqual([]);
  });

  it("declining at the CRM is a calm note too, and a later sign-in connects", async () => {
    const backend = await withApp();
    backend.crm.signIn = "declined";
    render(<Connections />);
    const connect = await startSignIn();
    expect((await within(connect).findByTestId("crm-sign-in-cancelled")).textContent).toBe("HubSpot did not connect: access_denied.");
    expect(within(connect).queryByRole("alert")).toBeNull();

    backend.crm.signIn = "signed_in";
    await userEvent.click(within(connect).getByRole("button", { name: "Sign in to HubSpot" }));
    expect(await screen.findByTestId("crm-row")).toBeTruthy();
    expect(within(connect).queryByTestId("crm-sign-in-cancelled")).toBeNull();
  });

  it("a token can still be pasted for a CRM with an app", async () => {
    const backend = await withApp();
    render(<Connections />);
    const connect = await screen.findByTestId("crm-connect");
    await waitFor(() => expect((within(connect).getByLabelText("Sign in through the browser") as HTMLInputElement).checked).toBe(true));
    await userEvent.click(within(connect).getByLabelText("Paste a token"));
    await within(connect).findByRole("option", { name: "Acme" });
    await choose(within(connect).getByLabelText("Client"), "Acme");
    await userEvent.type(within(connect).getByLabelText("Token"), "pat-na1-123");
    await userEvent.click(within(connect).getByRole("button", { name: "Connect CRM" }));
    expect(await screen.findByTestId("crm-row")).toBeTruthy();
    expect(backend.crmConnections[0]?.oauth).toBe(false);
  });

  it("Salesforce signs in at the instance URL when one is given", async () => {
    const backend = installBackend(["Acme"]);
    await api.crm.setApp({ crm: "salesforce", client_id: "sf-client" }, null);
    backend.pauseSignIn = true;
    render(<Connections />);
    const connect = await screen.findByTestId("crm-connect");
    await choose(within(connect).getByLabelText("CRM"), "Salesforce");
    await waitFor(() => expect((within(connect).getByLabelText("Sign in through the browser") as HTMLInputElement).checked).toBe(true));
    await userEvent.type(within(connect).getByLabelText("Instance URL (optional)"), "https://acme--dev.sandbox.my.salesforce.com");
    await startSignIn("Salesforce");
    const address = (await within(connect).findByLabelText("Sign-in address")) as HTMLInputElement;
    expect(address.value.startsWith("https://acme--dev.sandbox.my.salesforce.com/services/oauth2/authorize?")).toBe(true);
    backend.pauseSignIn = false;
    act(() => backend.resume());
    const row = await screen.findByTestId("crm-row");
    expect(cells(row).slice(0, 3)).toEqual(["Salesforce", "Acme", "https://acme--dev.sandbox.my.salesforce.com"]);
  });

  it("the backend signs in one job at a time, and cancel_import stops the wait", async () => {
    const backend = await withApp();
    backend.pauseSignIn = true;
    const seen: string[] = [];
    const first = api.crm.connectInBrowser("hubspot", "Acme", null, (s) => seen.push(s.crm));
    await waitFor(() => expect(seen).toEqual(["hubspot"]));
    expect(await api.crm.connectInBrowser("hubspot", "Acme", null, () => {}).catch(refusal)).toBe("conflict");
    expect(await api.crm.push("Acme", null, () => {}).catch(refusal)).toBe("conflict");
    expect(await api.leads.cancelImport()).toBe(true);
    expect(await first.catch(refusal)).toBe("cancelled");
    expect(await api.leads.cancelImport()).toBe(false);
  });
});
