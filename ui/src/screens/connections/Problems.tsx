/**
 * What a refresh from Meta could not read, in the backend's words. A warning rather than an
 * error: everything else was read all the same.
 */
export function Problems({ title, problems, testId }: { title: string; problems: string[]; testId: string }) {
  if (problems.length === 0) return null;
  return (
    <div className="notice problems" role="status" data-testid={testId}>
      <p>
        <strong>{title}</strong>
      </p>
      <ul>
        {problems.map((p, i) => (
          // The same words may come twice (two Pages of one name), so the place keeps the keys apart.
          <li key={`${i}:${p}`}>{p}</li>
        ))}
      </ul>
    </div>
  );
}
