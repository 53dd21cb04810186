/** A count with its noun, in the reader's digits: "1 page", "3 pages", "1,200 leads". */
export function counted(n: number, noun: string): string {
  return `${n.toLocaleString()} ${noun}${n === 1 ? "" : "s"}`;
}
