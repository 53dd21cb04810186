import { useEffect, useMemo, useState } from "react";
import {
  api,
  toCommandError,
  type CommandError,
  type CrmConnection,
  type CrmForm,
  type CrmPreview,
  type KeptMapping,
  type Rule,
  type Schema,
} from "../../api";
import { ErrorNote } from "../../components/ErrorNote";
import { useEscape } from "../../components/useEscape";
import { pickMappingExportFile, pickMappingImportFile } from "../../files";
import { counted } from "../connections/counted";
import { CRM_LABELS } from "./crms";
import { draftRule, fromRule, nextField, toMapping, type DraftRule } from "./draft";
import { MappingPreview } from "./MappingPreview";
import { fieldName, RuleTable } from "./RuleTable";

/** How long the draft rests before it is previewed: typing a constant previews once, not per letter. */
const PREVIEW_AFTER_MS = 300;

/** Rules compared as the backend keeps them, whose value maps come back in key order. */
function sameRules(a: Rule[], b: Rule[]): boolean {
  const sorted = (_: string, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y))) : v;
  return JSON.stringify(a, sorted) === JSON.stringify(b, sorted);
}

/**
 * Maps one form's answers to a CRM connection's fields: the form's keys beside the CRM's live
 * fields, a rule per CRM field, and a live preview of exactly what the CRM would get for one lead.
 * A draft is kept only by saving it, and only once the preview finds nothing wrong.
 */
export function MappingEditor({
  connection,
  client,
  initialForm,
  onClose,
}: {
  connection: CrmConnection;
  /** The connection's client, whose forms are mapped. */
  client: string;
  initialForm?: string;
  onClose: () => void;
}) {
  const crm = CRM_LABELS[connection.crm];
  const [forms, setForms] = useState<CrmForm[] | null>(null);
  const [schema, setSchema] = useState<Schema | null>(null);
  const [form, setForm] = useState(initialForm ?? "");
  const [keys, setKeys] = useState<string[]>([]);
  const [kept, setKept] = useState<KeptMapping | null>(null);
  // Null until the chosen form's kept mapping is read, so that nothing is previewed or saved meanwhile.
  const [rules, setRules] = useState<DraftRule[] | null>(null);
  const [unmet, setUnmet] = useState<string[]>([]);
  const [leadId, setLeadId] = useState("");
  const [preview, setPreview] = useState<{ of: string; answer: CrmPreview } | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState("");
  const [status, setStatus] = useState("");
  const [error, setError] = useState<CommandError | null>(null);

  useEscape(onClose);

  useEffect(() => {
    const fail = (e: unknown) => setError(toCommandError(e));
    api.crm.forms(client).then(setForms, fail);
    api.crm.fields(connection.id).then(setSchema, fail);
  }, [client, connection.id]);

  useEffect(() => {
    if (form === "") return;
    let live = true;
    Promise.all([api.crm.formKeys(client, form), api.crm.mapping(client, form, connection.id)]).then(
      ([answers, mapping]) => {
        if (!live) return;
        setKeys(answers);
        setKept(mapping);
        setRules(mapping ? mapping.mapping.fields.map(fromRule) : []);
      },
      (e: unknown) => live && setError(toCommandError(e)),
    );
    return () => {
      live = false;
    };
  }, [client, form, connection.id]);

  const mapping = useMemo(() => (rules === null || form === "" ? null : toMapping(connection.crm, form, rules)), [rules, form, connection.crm]);
  const lead = /^\d+$/.test(leadId.trim()) ? Number(leadId.trim()) : null;
  const leadUnusable = leadId.trim() !== "" && lead === null;
  // What the preview on screen must answer for: this draft, for this lead.
  const subject = mapping && !leadUnusable ? JSON.stringify([mapping, lead]) : null;

  useEffect(() => {
    if (mapping === null || subject === null) return;
    let live = true;
    const t = setTimeout(() => {
      api.crm.preview(client, form, connection.id, mapping, lead).then(
        (answer) => live && setPreview({ of: subject, answer }),
        (e: unknown) => live && setError(toCommandError(e)),
      );
    }, PREVIEW_AFTER_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [client, form, connection.id, mapping, lead, subject]);

  const current = preview !== null && preview.of === subject;
  const problems = current ? preview.answer.problems : [];
  const changed = mapping !== null && !sameRules(mapping.fields, kept?.mapping.fields ?? []);
  // Saving what is kept already would only add an identical version.
  const canSave = mapping !== null && changed && current && problems.length === 0 && !busy;

  const choose = (next: string) => {
    setForm(next);
    setRules(null);
    setKept(null);
    setKeys([]);
    setUnmet([]);
    setPreview(null);
    setSaved("");
    setStatus("");
    setError(null);
  };

  /** Runs one request to the backend: busy meanwhile, its refusal shown. */
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setSaved("");
    setStatus("");
    try {
      await work();
    } catch (e) {
      setError(toCommandError(e));
    } finally {
      setBusy(false);
    }
  };

  const suggest = () =>
    run(async () => {
      const suggested = await api.crm.suggest(client, form, connection.id);
      setRules(suggested.fields.map(fromRule));
      setUnmet(suggested.unmet ?? []);
      setStatus(`Suggested ${counted(suggested.fields.length, "rule")} from ${crm}'s fields. Nothing is kept until you save.`);
    });

  const keep = (k: KeptMapping, said: string) => {
    setKept(k);
    setUnmet([]);
    setSaved(said);
  };

  const save = () =>
    run(async () => {
      if (mapping === null) return;
      const k = await api.crm.setMapping(client, form, connection.id, mapping);
      keep(k, `Saved version ${k.version}`);
    });

  const exportTo = () =>
    run(async () => {
      const path = await pickMappingExportFile(connection.crm, form);
      if (!path) return;
      const version = await api.crm.exportMapping(client, form, connection.id, path);
      setStatus(`Exported version ${version} to ${path}.`);
    });

  const importFrom = () =>
    run(async () => {
      const path = await pickMappingImportFile();
      if (!path) return;
      const k = await api.crm.importMapping(client, form, connection.id, path);
      setRules(k.mapping.fields.map(fromRule));
      keep(k, `Imported ${path} as version ${k.version}`);
    });

  const addRule = () => {
    const field = schema && rules ? nextField(schema.fields, rules) : undefined;
    if (field && rules) setRules([...rules, draftRule(field.name)]);
  };

  const fields = schema?.fields ?? [];
  const chosen = forms?.find((f) => f.form_id === form);

  return (
    <div className="backdrop">
      <div className="dialog editor" role="dialog" aria-modal="true" aria-labelledby="crm-map-title" data-testid="crm-map-editor">
        <header className="editor-header">
          <h2 id="crm-map-title">
            Map {client}&apos;s leads to {crm}
          </h2>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </header>
        <div className="toolbar">
          <label>
            Form
            <select value={form} onChange={(e) => choose(e.target.value)} autoFocus data-testid="crm-map-form">
              <option value="">Choose a form</option>
              {forms?.map((f) => (
                <option key={f.form_id} value={f.form_id}>
                  {f.form_name || f.form_id} ({f.leads.toLocaleString()} {f.leads === 1 ? "lead" : "leads"})
                </option>
              ))}
            </select>
          </label>
          {kept ? (
            <span className="muted" data-testid="crm-map-kept">
              Version {String(kept.version)} kept {new Date(kept.saved_at).toLocaleString()}
            </span>
          ) : (
            chosen && rules !== null && <span className="muted">No mapping kept yet for this form: its leads are not sent until it has one.</span>
          )}
        </div>
        {forms !== null && forms.length === 0 && (
          <p className="empty" data-testid="crm-map-no-forms">
            {client} holds no leads yet. Import or sync some; their forms can then be mapped.
          </p>
        )}
        <ErrorNote error={error} />
        <p className="sr-status" role="status" aria-live="polite">
          {status}
        </p>
        {saved && (
          <p className="ok" role="status" data-testid="crm-map-saved">
            {saved}
          </p>
        )}

        {form !== "" && rules !== null && (
          <>
            <div className="map-columns">
              <section aria-labelledby="crm-keys-title">
                <h3 id="crm-keys-title">The form&apos;s answers</h3>
                <ul className="keys" data-testid="crm-map-keys">
                  {keys.map((k) => (
                    <li key={k}>
                      <code>{k}</code>
                    </li>
                  ))}
                </ul>
              </section>
              <section aria-labelledby="crm-fields-title">
                <h3 id="crm-fields-title">{crm}&apos;s fields</h3>
                {schema === null ? (
                  <p className="muted">Reading them from {crm}…</p>
                ) : (
                  <ul className="keys" data-testid="crm-map-fields">
                    {fields.map((f) => (
                      <li key={f.name} data-required={f.required || undefined}>
                        {fieldName(f)}
                        {f.required && <strong className="required"> required</strong>}
                        {!rules.some((r) => r.to === f.name) && f.required && <span className="error-text"> · not mapped yet</span>}
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            </div>

            <h3 id="crm-rules-title">Rules</h3>
            <div className="toolbar">
              <button type="button" onClick={() => void suggest()} disabled={busy || schema === null} data-testid="crm-map-suggest">
                Suggest
              </button>
              <button type="button" onClick={addRule} disabled={schema === null || nextField(fields, rules) === undefined} data-testid="crm-map-add">
                Add a rule
              </button>
              <span className="spacer" />
              <button type="button" onClick={() => void importFrom()} disabled={busy} data-testid="crm-map-import">
                Import JSON…
              </button>
              <button
                type="button"
                onClick={() => void exportTo()}
                disabled={busy || kept === null}
                title="Exports the version kept, not changes not yet saved"
                data-testid="crm-map-export"
              >
                Export JSON…
              </button>
            </div>
            {unmet.length > 0 && (
              <p className="notice" data-testid="crm-map-unmet">
                No answer matched {unmet.join(", ")}, which {crm} requires: add a rule for {unmet.length === 1 ? "it" : "each"}.
              </p>
            )}
            <RuleTable
              rules={rules}
              fields={fields}
              keys={keys}
              onChange={(rule) => setRules((all) => all && all.map((r) => (r.key === rule.key ? rule : r)))}
              onRemove={(rule) => setRules((all) => all && all.filter((r) => r.key !== rule.key))}
            />

            <MappingPreview
              leadId={leadId}
              onLeadId={setLeadId}
              leadUnusable={leadUnusable}
              preview={preview?.answer ?? null}
              current={current}
            />

            <div className="dialog-actions">
              {changed && <span className="hint">Changes not saved yet.</span>}
              <button
                type="button"
                className="primary"
                onClick={() => void save()}
                disabled={!canSave}
                aria-describedby={problems.length > 0 ? "crm-preview-problems-title" : undefined}
                data-testid="crm-map-save"
              >
                {busy ? "Working…" : "Save"}
              </button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
