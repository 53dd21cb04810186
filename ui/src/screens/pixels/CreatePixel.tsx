import { useEffect, useRef, useState, type FormEvent } from "react";
import { api, toCommandError, type Client, type CommandError } from "../../api";
import { ClientSelect } from "../../components/ClientSelect";
import { ErrorNote } from "../../components/ErrorNote";
import { useEscape } from "../../components/useEscape";

/** Makes a pixel on an ad account, through one client's Meta connection or any. */
export function CreatePixel({
  clients,
  onCreated,
  onCancel,
}: {
  clients: Client[];
  onCreated: (id: string, account: string) => void;
  onCancel: () => void;
}) {
  const [account, setAccount] = useState("");
  const [name, setName] = useState("");
  const [client, setClient] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => first.current?.focus(), []);
  useEscape(onCancel);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onCreated(await api.pixels.create(account, name, client || null), account.trim());
    } catch (err) {
      setError(toCommandError(err));
      setBusy(false);
    }
  };

  return (
    <div className="backdrop">
      <form className="dialog" role="dialog" aria-modal="true" aria-labelledby="pixel-create-title" onSubmit={create} data-testid="pixel-create">
        <h2 id="pixel-create-title">Create a pixel</h2>
        <p className="muted">
          Meta makes the pixel on the ad account, for the business that owns it. It lets a business make one pixel this way: for another,
          share the one it has.
        </p>
        <ErrorNote error={error} />
        <div className="request-form">
          <label>
            Ad account
            <input
              ref={first}
              value={account}
              onChange={(e) => setAccount(e.target.value)}
              placeholder="act_123456789"
              data-testid="pixel-create-account"
            />
          </label>
          <label>
            Name
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} data-testid="pixel-create-name" />
          </label>
          <label>
            Through the Meta connection of
            <ClientSelect clients={clients} value={client} onChange={setClient} none="Any client" testId="pixel-create-client" />
          </label>
        </div>
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || !account.trim() || !name.trim()} data-testid="pixel-create-submit">
            {busy ? "Asking Meta…" : "Create pixel"}
          </button>
        </div>
      </form>
    </div>
  );
}
