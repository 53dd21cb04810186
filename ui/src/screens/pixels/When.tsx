/**
 * A time as the backend or Meta writes it, in the reader's local time. Meta writes offsets as
 * "+0000", which WebKit's Date does not read, so they are given their colon first.
 */
export function When({ at }: { at: string }) {
  const iso = at.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const date = new Date(iso);
  return <time dateTime={iso}>{Number.isNaN(date.getTime()) ? at : date.toLocaleString()}</time>;
}
