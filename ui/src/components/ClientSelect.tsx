import type { Client } from "../api";

/**
 * A choice of one of the workspace's clients, by name (or by id with `byId`). `none` labels a
 * first option that chooses no client; without it, one client must be chosen.
 */
export function ClientSelect({
  clients,
  value,
  onChange,
  none,
  byId = false,
  disabled,
  testId,
}: {
  clients: Client[];
  value: string;
  onChange: (value: string) => void;
  none?: string;
  byId?: boolean;
  disabled?: boolean;
  testId?: string;
}) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} data-testid={testId}>
      {none !== undefined && <option value="">{none}</option>}
      {clients.map((c) => (
        <option key={c.id} value={byId ? c.id : c.name}>
          {c.name}
        </option>
      ))}
    </select>
  );
}
