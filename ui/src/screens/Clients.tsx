import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, toCommandError, type Client, type CommandError, type Holdings } from "../api";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorNote } from "../components/ErrorNote";

export function Clients() {
  const [clients, setClients] = useState<Client[] | null>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);
  const [removing, setRemoving] = useState<Holdings | null>(null);

  const refresh = useCallback(async () => {
    try {
      setClients(await api.clients.list());
    } catch (e) {
      setError(toCommandError(e));
    }
  }, []);

  useEffect(() => {
    api.clients.list().then(setClients, (e: unknown) => setError(toCommandError(e)));
  }, []);

  // One wrapper for every change: busy while it runs, errors shown, the list re-read afterwards.
  const change = async (work: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    try {
      setStatus(await work());
      await refresh();
      return true;
    } catch (e) {
      setError(toCommandError(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await change(async () => `Added ${(await api.clients.add(name)).name}.`);
    if (ok) setName("");
  };

  const rename = async (e: FormEvent, old: Client) => {
    e.preventDefault();
    if (!editing) return;
    if (editing.name.trim() === old.name) {
      setEditing(null);
      return;
    }
    const ok = await change(async () => `Renamed ${old.name} to ${(await api.clients.rename(old.name, editing.name)).name}.`);
    if (ok) setEditing(null);
  };

  const askRemove = async (client: Client) => {
    setError(null);
    try {
      setRemoving(await api.clients.holdings(client.name));
    } catch (e) {
      setError(toCommandError(e));
    }
  };

  const remove = async () => {
    if (!removing) return;
    const target = removing.client.name;
    await change(async () => {
      await api.clients.remove(target);
      return `Removed ${target}.`;
    });
    setRemoving(null);
  };

  return (
    <section aria-labelledby="clients-title">
      <header className="page-header">
        <h1 id="clients-title">Clients</h1>
        <p className="muted">The advertisers you work for. Pages, forms, CRM connections and leads belong to one client.</p>
      </header>

      <form className="inline-form" onSubmit={add}>
        <label htmlFor="new-client">New client</label>
        <input
          id="new-client"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Advertiser name"
          maxLength={120}
          autoComplete="off"
          data-testid="new-client-name"
        />
        <button type="submit" className="primary" disabled={busy || name.trim() === ""} data-testid="add-client">
          Add client
        </button>
      </form>

      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>

      {clients === null ? (
        <p className="muted">Loading…</p>
      ) : clients.length === 0 ? (
        <div className="empty" data-testid="clients-empty">
          <h2>No clients yet</h2>
          <p>Add the first advertiser you work for above. Everything Custodian holds is kept per client.</p>
        </div>
      ) : (
        <table className="table" data-testid="clients-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Added</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {clients.map((c) => (
              <tr key={c.id} data-testid="client-row">
                <td>
                  {editing?.id === c.id ? (
                    <form className="rename" onSubmit={(e) => void rename(e, c)}>
                      <input
                        aria-label={`New name for ${c.name}`}
                        value={editing.name}
                        autoFocus
                        maxLength={120}
                        onChange={(e) => setEditing({ id: c.id, name: e.target.value })}
                        onKeyDown={(e) => e.key === "Escape" && setEditing(null)}
                      />
                      <button type="submit" disabled={busy}>
                        Save
                      </button>
                      <button type="button" onClick={() => setEditing(null)}>
                        Cancel
                      </button>
                    </form>
                  ) : (
                    <span className="client-name">{c.name}</span>
                  )}
                </td>
                <td>
                  <time dateTime={c.created_at}>{new Date(c.created_at).toLocaleString()}</time>
                </td>
                <td className="actions">
                  <button type="button" onClick={() => setEditing({ id: c.id, name: c.name })} aria-label={`Rename ${c.name}`}>
                    Rename
                  </button>
                  <button type="button" className="danger-text" onClick={() => void askRemove(c)} aria-label={`Remove ${c.name}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {removing && (
        <ConfirmDialog
          title={`Remove ${removing.client.name}?`}
          confirmLabel="Remove client"
          busy={busy}
          onConfirm={() => void remove()}
          onCancel={() => setRemoving(null)}
        >
          {removing.held.length === 0 ? (
            <p>This client holds no data. Only the client itself is removed.</p>
          ) : (
            <>
              <p>This permanently deletes everything the client holds:</p>
              <ul>
                {removing.held.map((h) => (
                  <li key={h.kind}>
                    {h.count} {h.label}
                  </li>
                ))}
              </ul>
            </>
          )}
          <p className="muted">The audit trail keeps a record that the client was removed.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
