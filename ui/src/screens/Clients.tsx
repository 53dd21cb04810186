import { useCallback, useEffect, useState, type FormEvent } from "react";
import { api, toCommandError, type Client, type CommandError, type Elsewhere, type Holdings } from "../api";
import { ErrorNote } from "../components/ErrorNote";
import { RemoveClientDialog } from "./RemoveClientDialog";

/** What a removal did with the client's records in its CRMs, for the status line. */
function inCrms(count: number, done: string): string {
  if (count === 0) return ".";
  return `; its ${count} record${count === 1 ? " in its CRMs was" : "s in its CRMs were"} ${done}.`;
}

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

  const remove = async (elsewhere: Elsewhere | null) => {
    if (!removing) return;
    const target = removing.client.name;
    const left = elsewhere === "leave" ? removing.elsewhere.reduce((n, h) => n + h.count, 0) : 0;
    let askAgain: Holdings | null = null;
    await change(async () => {
      try {
        const removal = await api.clients.remove(target, elsewhere);
        const there = removal.deleted_elsewhere > 0 ? inCrms(removal.deleted_elsewhere, "deleted there first") : inCrms(left, "left there");
        return `Removed ${target}${there}`;
      } catch (e) {
        // Its leads reached its CRMs since it was asked (an automatic push, say): ask again, with them.
        if (toCommandError(e).code === "confirmation_required") askAgain = await api.clients.holdings(target);
        throw e;
      }
    });
    setRemoving(askAgain);
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

      {removing && <RemoveClientDialog holdings={removing} busy={busy} onConfirm={(e) => void remove(e)} onCancel={() => setRemoving(null)} />}
    </section>
  );
}
