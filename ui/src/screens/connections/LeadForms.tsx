import { useState } from "react";
import { api, toCommandError, type CommandError, type MetaForm } from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { FormTable } from "./FormTable";
import { Problems } from "./Problems";

/** The lead forms of every Page, read again from Meta on request, each chosen for sync or not. */
export function LeadForms({
  forms,
  hasPages,
  onRefreshed,
  onChanged,
}: {
  forms: MetaForm[] | null;
  hasPages: boolean;
  onRefreshed: (forms: MetaForm[]) => void;
  onChanged: (form: MetaForm) => void;
}) {
  const [refreshing, setRefreshing] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [saving, setSaving] = useState<string | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [status, setStatus] = useState("");

  const refresh = async () => {
    setRefreshing(true);
    setError(null);
    setStatus("");
    setProblems([]);
    try {
      const found = await api.meta.refreshForms(null);
      onRefreshed(found.items);
      setProblems(found.problems);
      setStatus("Read the lead forms from Meta.");
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setRefreshing(false);
    }
  };

  const toggle = async (form: MetaForm, sync: boolean) => {
    // A click while one is saved is let go (the box shows the saved choice again) rather than
    // disabling the box, which would take the keyboard's focus away from it.
    if (saving !== null) return;
    setSaving(form.id);
    setError(null);
    setStatus("");
    try {
      const saved = await api.meta.setFormSync(form.id, sync);
      onChanged(saved);
      setStatus(saved.sync ? `${saved.name} will sync.` : `${saved.name} will no longer sync.`);
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setSaving(null);
    }
  };

  return (
    <section aria-labelledby="forms-title" data-testid="meta-forms">
      <h2 id="forms-title" className="section">
        Lead forms
      </h2>
      <p className="muted">The lead forms of the Pages, Instagram&apos;s among them. Only the forms chosen for sync are read.</p>
      <div className="toolbar">
        <button type="button" onClick={() => void refresh()} disabled={refreshing || !hasPages} data-testid="refresh-forms">
          {refreshing ? "Asking Meta…" : "Refresh forms"}
        </button>
      </div>
      <Problems title="Some Pages' forms could not be read:" problems={problems} testId="form-problems" />
      <ErrorNote error={error} />
      <p className="sr-status" role="status" aria-live="polite">
        {status}
      </p>
      {forms === null ? (
        <p className="muted">Loading…</p>
      ) : forms.length === 0 ? (
        <p className="empty" data-testid="forms-empty">
          {hasPages ? "No lead forms yet. Refresh forms to read them from Meta." : "No lead forms yet. Refresh the Pages first, then their forms."}
        </p>
      ) : (
        <FormTable forms={forms} saving={saving} onToggle={(f, sync) => void toggle(f, sync)} />
      )}
    </section>
  );
}
