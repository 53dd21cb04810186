import type { CrmConnection } from "../../api";

/** Whether the CRM still accepts the connection's token; when not, its reason, since connecting again is the fix. */
export function CrmHealth({ connection }: { connection: CrmConnection }) {
  const reason = connection.invalid_reason;
  if (reason === null) {
    return (
      <span className="badge ok" data-testid="crm-health" data-health="ok">
        OK
      </span>
    );
  }
  return (
    <span className="badge log_in_again" data-testid="crm-health" data-health="connect_again">
      Connect again ({reason})
    </span>
  );
}
