import type { Request } from "../../api";

export const STATUS_LABEL: Record<Request["status"], string> = {
  received: "Received",
  verifying: "Verifying",
  in_progress: "In progress",
  completed: "Completed",
  denied: "Denied",
};
