import type { Crm } from "../../api";

export const CRM_LABELS: Record<Crm, string> = { hubspot: "HubSpot", salesforce: "Salesforce", pipedrive: "Pipedrive" };
export const CRMS = Object.keys(CRM_LABELS) as Crm[];

/** A CRM's name as people write it; the log names CRMs as text, so one not known here is shown as it came. */
export function crmLabel(crm: string): string {
  return (CRM_LABELS as Record<string, string>)[crm] ?? crm;
}
