import type { CommandError } from "../api";

const TITLES: Record<string, string> = {
  keychain_unavailable: "The OS keychain is not reachable",
  key_missing: "The workspace key is missing from the keychain",
  database_unreadable: "The workspace database cannot be read",
  data_dir_unusable: "The data directory cannot be used",
};

/** Shown instead of the app when the workspace could not be opened: nothing else can work. */
export function WorkspaceError({ error }: { error: CommandError }) {
  return (
    <main className="fatal" role="alert" data-testid="workspace-error">
      <h1>{TITLES[error.code] ?? "Custodian cannot open the workspace"}</h1>
      <p>{error.message}</p>
      <p className="muted">
        Nothing in the data directory was changed. Fix the cause above, then start Custodian again.
        <code> custodian doctor</code> checks every part and prints the fix.
      </p>
    </main>
  );
}
