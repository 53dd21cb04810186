import type { MetaConnection } from "../../api";

/** A connection someone has to act on: its token expires soon, has expired, or Meta no longer takes it. */
export const needsAttention = (c: MetaConnection) => c.health !== "ok";
