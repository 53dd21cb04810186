import { useCallback, useEffect, useState } from "react";
import { api, toCommandError, type CommandError, type Request } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { NewRequest } from "./NewRequest";
import { ProcessingInfo } from "./ProcessingInfo";
import { RequestDetail } from "./RequestDetail";
import { RequestList } from "./RequestList";
import { SignedRequest } from "./SignedRequest";

export function Requests() {
  const [requests, setRequests] = useState<Request[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const [pasting, setPasting] = useState(false);
  const [settings, setSettings] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);

  const refresh = useCallback(async () => {
    try {
      setRequests(await api.requests.list());
    } catch (e) {
      setError(toCommandError(e));
    }
  }, []);

  useEffect(() => {
    api.requests.list().then(setRequests, (e: unknown) => setError(toCommandError(e)));
  }, []);

  const current = requests?.find((r) => r.id === selected) ?? null;

  return (
    <section aria-labelledby="requests-title">
      <header className="page-header">
        <h1 id="requests-title">Data-subject requests</h1>
        <div className="inline-form">
          <button type="button" onClick={() => setCreating(true)} data-testid="new-request">
            New request
          </button>
          <button type="button" onClick={() => setPasting(true)}>
            From Meta&apos;s deletion callback…
          </button>
          <button type="button" onClick={() => setSettings(!settings)}>
            Processing information…
          </button>
        </div>
      </header>
      {pasting && (
        <SignedRequest
          onCancel={() => setPasting(false)}
          onCreated={async (r) => {
            setPasting(false);
            await refresh();
            setSelected(r.id);
          }}
        />
      )}
      {settings && <ProcessingInfo onClose={() => setSettings(false)} />}
      <ErrorNote error={error} />
      {creating && (
        <NewRequest
          onCancel={() => setCreating(false)}
          onCreated={async (r) => {
            setCreating(false);
            await refresh();
            setSelected(r.id);
          }}
        />
      )}
      {requests && requests.length === 0 && !creating && (
        <p className="empty">
          No requests yet. When a person asks to see, correct or erase their data, record it here: Custodian works out the legal
          deadline and finds everything held about them.
        </p>
      )}
      {requests && requests.length > 0 && <RequestList requests={requests} selected={selected} onSelect={setSelected} />}
      {current && <RequestDetail key={current.id} request={current} onChanged={refresh} />}
    </section>
  );
}
