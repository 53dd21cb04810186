import { api, type MetaForm } from "../../api";
import { useMetaList } from "./useMetaList";
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
  const list = useMetaList<MetaForm>();
  const { refreshing, problems, saving, error, status } = list;
  const refresh = () => list.refresh(() => api.meta.refreshForms(null), onRefreshed, "Read the lead forms from Meta.");
  const toggle = (form: MetaForm, sync: boolean) =>
    list.save(form.id, () => api.meta.setFormSync(form.id, sync), onChanged, (saved) =>
      saved.sync ? `${saved.name} will sync.` : `${saved.name} will no longer sync.`,
    );

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
