import { useState, type FormEvent } from "react";
import { api, toCommandError, type CommandError, type MetaApp } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";

/** The Graph API versions the backend speaks; it refuses any other. */
const VERSIONS = ["v25.0", "v26.0"];

/** The app's id, Graph API version and address; Save sends only what changed, so the rest stays. */
export function AppSettings({ app, onSaved }: { app: MetaApp; onSaved: (app: MetaApp) => void }) {
  const [appId, setAppId] = useState(app.app_id ?? "");
  const [version, setVersion] = useState(app.graph_version);
  const [url, setUrl] = useState(app.graph_url);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");

  const form = {
    app_id: appId.trim() !== (app.app_id ?? "") ? appId : null,
    graph_version: version !== app.graph_version ? version : null,
    graph_url: url.trim() !== app.graph_url ? url : null,
    // How often the app syncs by itself is not set on this form, so it stays as it is.
    sync_minutes: null,
  };
  const changed = Object.values(form).some((v) => v !== null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setStatus("");
    try {
      const saved = await api.meta.setApp(form);
      // The backend trims and tidies what it keeps: show that, not what was typed.
      setAppId(saved.app_id ?? "");
      setVersion(saved.graph_version);
      setUrl(saved.graph_url);
      onSaved(saved);
      setStatus("Saved the Meta app's settings.");
    } catch (err) {
      setError(toCommandError(err));
    } finally {
      setBusy(false);
    }
  };

  const versions = VERSIONS.includes(app.graph_version) ? VERSIONS : [app.graph_version, ...VERSIONS];

  return (
    <form className="request-form" aria-label="Meta app settings" onSubmit={save}>
      <label>
        App id
        <input
          value={appId}
          onChange={(e) => setAppId(e.target.value)}
          inputMode="numeric"
          autoComplete="off"
          placeholder="e.g. 1234567890"
          aria-describedby="app-id-hint"
          data-testid="meta-app-id"
        />
      </label>
      <small id="app-id-hint" className="hint">
        The digits under App settings → Basic of the agency&apos;s own Meta app. Every token is checked against it.
      </small>
      <label>
        Graph API version
        <select value={version} onChange={(e) => setVersion(e.target.value)} data-testid="meta-graph-version">
          {versions.map((v) => (
            <option key={v}>{v}</option>
          ))}
        </select>
      </label>
      <details>
        <summary>Advanced</summary>
        <label>
          Graph API address
          <input
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            autoComplete="off"
            aria-describedby="graph-url-hint"
            data-testid="meta-graph-url"
          />
        </label>
        <small id="graph-url-hint" className="hint">
          Change it only to go through a proxy or a test server.
        </small>
      </details>
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>
      <div className="toolbar">
        <button type="submit" className="primary" disabled={busy || !changed} data-testid="meta-app-save">
          {busy ? "Saving…" : "Save"}
        </button>
      </div>
    </form>
  );
}
