import type { Verification } from "../api";

export function VerificationNote({ verification }: { verification: Verification | null }) {
  if (!verification) return null;
  if (verification.intact) {
    return (
      <p className="ok" role="status" data-testid="verification">
        Intact: {verification.entries} entries verified. Head <code>{verification.head.slice(0, 16)}…</code>
        {verification.anchor && (
          <>
            {" "}
            Entries up to #{verification.anchor.seq} were purged by policy on {verification.anchor.at.slice(0, 10)};
            verification starts from their last hash.
          </>
        )}
      </p>
    );
  }
  return (
    <p className="error" role="alert" data-testid="verification">
      Broken at entry #{verification.broken?.seq}: {verification.broken?.reason}
    </p>
  );
}
