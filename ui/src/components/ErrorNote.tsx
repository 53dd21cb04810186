import type { CommandError } from "../api";

/** A refusal, in the backend's words. A legal hold gets a heading and says where holds are lifted. */
export function ErrorNote({ error }: { error: CommandError | null }) {
  if (!error) return null;
  if (error.code === "held") {
    return (
      <div className="error held" role="alert" data-code={error.code} data-testid="held">
        <strong>Kept by a legal hold</strong>
        <p>{error.message}</p>
        <p className="muted">Legal holds are listed, and lifted, on the Retention screen.</p>
      </div>
    );
  }
  return (
    <p className="error" role="alert" data-code={error.code}>
      {error.message}
    </p>
  );
}
