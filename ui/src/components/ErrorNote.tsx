import type { CommandError } from "../api";

export function ErrorNote({ error }: { error: CommandError | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert" data-code={error.code}>
      {error.message}
    </p>
  );
}
