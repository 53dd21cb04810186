/** When a form last synced, in the reader's time, or "never". */
export function LastSynced({ at }: { at: string | null }) {
  if (at === null) return <span className="muted">never</span>;
  return <time dateTime={at}>{new Date(at).toLocaleString()}</time>;
}
