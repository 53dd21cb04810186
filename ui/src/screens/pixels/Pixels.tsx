import { useCallback, useEffect, useState } from "react";
import { api, toCommandError, type Client, type CommandError, type Pixel } from "../../api";
import { ClientSelect } from "../../components/ClientSelect";
import { ErrorNote } from "../../components/ErrorNote";
import { BulkDialog } from "./BulkDialog";
import { CreatePixel } from "./CreatePixel";
import { PixelAccess } from "./PixelAccess";
import { PixelLog } from "./PixelLog";
import { PixelTable } from "./PixelTable";
import { ShareForm } from "./ShareForm";
import { plural } from "./words";

/**
 * The pixels of the businesses the Meta connections reach, who can reach each, sharing and
 * revoking, making pixels, bulk changes from a CSV, and the log of every operation. It opens on
 * what was read last, without asking Meta; Meta is asked only on request.
 */
export function Pixels() {
  const [clients, setClients] = useState<Client[]>([]);
  const [client, setClient] = useState("");
  const [pixels, setPixels] = useState<Pixel[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const [creating, setCreating] = useState(false);
  const [bulk, setBulk] = useState(false);
  // Changes after every operation, so that the pixel's log is read again.
  const [generation, setGeneration] = useState(0);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<CommandError | null>(null);

  useEffect(() => {
    api.clients.list().then(setClients, (e: unknown) => setError(toCommandError(e)));
  }, []);

  useEffect(() => {
    let live = true;
    api.pixels.kept(client || null).then(
      (kept) => live && setPixels(kept),
      (e: unknown) => live && setError(toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [client]);

  // After a share, a revocation or a bulk change the backend keeps who can reach each pixel, and
  // its log: reading them asks Meta nothing.
  const changed = useCallback(() => {
    setGeneration((g) => g + 1);
    api.pixels.kept(client || null).then(setPixels, (e: unknown) => setError(toCommandError(e)));
  }, [client]);

  const read = async () => {
    setReading(true);
    setError(null);
    setStatus("");
    try {
      const found = await api.pixels.list(client || null);
      setPixels(found);
      setStatus(
        found.length ? `Read ${plural(found.length, "pixel")} from Meta.` : "Meta lists no pixel in the businesses the connections reach.",
      );
      setGeneration((g) => g + 1);
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setReading(false);
    }
  };

  const current = pixels?.find((p) => p.id === selected) ?? null;

  return (
    <section aria-labelledby="pixels-title" data-testid="pixels">
      <header className="page-header">
        <h1 id="pixels-title">Pixels</h1>
        <p className="muted">
          The pixels of the businesses the Meta connections reach, the agency&apos;s own and its clients&apos; shared with it: who can
          reach each and since when, sharing and revoking, and a log of every change made here.
        </p>
      </header>
      <div className="toolbar">
        <label>
          Client
          <ClientSelect clients={clients} value={client} onChange={setClient} none="All clients" disabled={reading} testId="pixels-client" />
        </label>
        <button type="button" className="primary" onClick={() => void read()} disabled={reading} data-testid="pixels-refresh">
          {reading ? "Asking Meta…" : "Read from Meta"}
        </button>
        <span className="spacer" />
        <button type="button" onClick={() => setCreating(true)} data-testid="pixel-create-open">
          Create a pixel…
        </button>
        <button type="button" onClick={() => setBulk(true)} data-testid="pixel-bulk-open">
          Bulk changes from a CSV…
        </button>
      </div>
      {reading && (
        <p className="muted" data-testid="pixels-reading">
          Reading each business&apos;s pixels from Meta, and who can reach each…
        </p>
      )}
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>
      {pixels === null ? (
        <p className="muted">Loading…</p>
      ) : pixels.length === 0 ? (
        <div className="empty" data-testid="pixels-empty">
          <h2>{client ? `No pixel of ${client} yet` : "No pixels yet"}</h2>
          <p>
            Pixels come from the businesses the Meta connections reach: each business&apos;s own pixels, and its clients&apos; pixels
            shared with it. Connect a system-user token of the business on the Connections screen, then read them from Meta.
          </p>
          <button type="button" className="primary" onClick={() => void read()} disabled={reading} data-testid="pixels-empty-read">
            {reading ? "Asking Meta…" : "Read from Meta"}
          </button>
        </div>
      ) : (
        <>
          <PixelTable pixels={pixels} selected={selected} onSelect={setSelected} />
          {current === null && <p className="hint">Open a pixel to review who can reach it, share it, and see its log.</p>}
        </>
      )}
      {current && (
        <section className="card pixel-detail" aria-labelledby="pixel-detail-title" data-testid="pixel-detail">
          <h2 id="pixel-detail-title">
            {current.name} <code>{current.id}</code>
          </h2>
          <PixelAccess
            key={`access-${current.id}`}
            pixel={current}
            onRead={(read) => {
              setPixels((all) => all?.map((p) => (p.id === read.id ? read : p)) ?? null);
              setGeneration((g) => g + 1);
            }}
            onTried={changed}
          />
          <ShareForm key={`share-${current.id}`} pixel={current} onTried={changed} />
          <PixelLog key={`log-${current.id}`} pixel={current.id} generation={generation} />
        </section>
      )}
      {creating && (
        <CreatePixel
          clients={clients}
          onCancel={() => setCreating(false)}
          onCreated={(id, account) => {
            setCreating(false);
            setError(null);
            setStatus(`Made pixel ${id} on ${account}. Read from Meta to list it with who can reach it.`);
          }}
        />
      )}
      {bulk && <BulkDialog onApplied={changed} onClose={() => setBulk(false)} />}
    </section>
  );
}
