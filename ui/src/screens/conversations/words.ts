import type { ChatChannel } from "../../api";

export const CHANNEL: Record<ChatChannel, string> = { messenger: "Messenger", instagram: "Instagram", whatsapp: "WhatsApp" };

/** "1 message", "3 messages". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** An RFC 3339 time as the screen shows it: date and minute, in UTC. */
export function when(rfc3339: string): string {
  return rfc3339.replace("T", " ").slice(0, 16);
}
