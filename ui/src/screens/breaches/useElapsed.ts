import { useEffect, useState } from "react";

/** Milliseconds since the screen last read its breaches, ticking every 30 s so that clocks count down. */
export function useElapsed(since: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  return Math.max(0, now - since);
}
