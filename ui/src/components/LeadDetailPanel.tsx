import { useEscape } from "./useEscape";
import type { LeadDetail } from "../api";

/** Every field of one lead, its answers in the form's order, and where it came from. */
export function LeadDetailPanel({ lead, onClose }: { lead: LeadDetail; onClose: () => void }) {
  useEscape(onClose);

  const named = (name: string, id: string) => (name && id ? `${name} (${id})` : name || id || "—");
  const facts: [string, string][] = [
    ["Meta lead id", lead.meta_id ?? "—"],
    ["Created", lead.created_time],
    ["Client", lead.client],
    ["Form", named(lead.form_name, lead.form_id)],
    ["Campaign", named(lead.campaign_name, lead.campaign_id)],
    ["Ad set", named(lead.adset_name, lead.adset_id)],
    ["Ad", named(lead.ad_name, lead.ad_id)],
    ["Platform", lead.platform === "ig" ? "Instagram" : lead.platform === "fb" ? "Facebook" : lead.platform],
    ["Organic", lead.is_organic === null ? "—" : lead.is_organic ? "yes" : "no (paid)"],
    ["Status", lead.lead_status || "—"],
  ];
  return (
    <aside className="detail" aria-label="Lead detail" data-testid="lead-detail">
      <header>
        <h2>{lead.answers.find(([k]) => k === "full_name")?.[1] || "Lead"}</h2>
        <button type="button" onClick={onClose} aria-label="Close detail">
          Close
        </button>
      </header>
      {lead.is_test && <p className="warn">A test lead, sent from Meta's testing tool: its answers are dummy data.</p>}
      <h3>Answers</h3>
      <dl>
        {lead.answers.map(([question, answer], i) => (
          <div key={`${question}-${i}`}>
            <dt>{question}</dt>
            <dd>{answer || <span className="muted">no answer</span>}</dd>
          </div>
        ))}
      </dl>
      <h3>Lead</h3>
      <dl>
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <h3>Source</h3>
      <p className="muted">
        {lead.source_file}, line {lead.source_line}, imported {new Date(lead.imported_at).toLocaleString()}
      </p>
    </aside>
  );
}
