import { useEffect, useState } from "react";
import { api, toCommandError, type CommandError } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";

const INFO_LABELS: Record<string, string> = {
  controller: "Who is responsible",
  purposes: "Why the data is processed",
  categories: "What kinds of data",
  recipients: "Who receives it",
  retention: "How long it is kept",
  source: "Where it came from",
  rights: "The person's rights",
};

export function ProcessingInfo({ onClose }: { onClose: () => void }) {
  const [info, setInfo] = useState<[string, string][] | null>(null);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [error, setError] = useState<CommandError | null>(null);
  const [saved, setSaved] = useState("");

  useEffect(() => {
    api.requests.processingInfo().then(
      (i) => {
        setInfo(i);
        setDraft(Object.fromEntries(i));
      },
      (e: unknown) => setError(toCommandError(e)),
    );
  }, []);

  const save = async (key: string) => {
    setError(null);
    try {
      setInfo(await api.requests.setProcessingInfo(key, draft[key] ?? ""));
      setSaved(`Saved: ${INFO_LABELS[key] ?? key}.`);
    } catch (e) {
      setError(toCommandError(e));
    }
  };

  return (
    <div className="card request-form" aria-label="Processing information">
      <h2>Processing information</h2>
      <p className="muted">What every access export&apos;s summary page tells the person (GDPR Art. 15).</p>
      {info?.map(([key, text]) => (
        <label key={key}>
          {INFO_LABELS[key] ?? key}
          <textarea value={draft[key] ?? ""} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} rows={2} />
          <button type="button" disabled={(draft[key] ?? "") === text} onClick={() => void save(key)}>
            Save
          </button>
        </label>
      ))}
      {saved && (
        <p className="sr-status" role="status">
          {saved}
        </p>
      )}
      <ErrorNote error={error} />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
