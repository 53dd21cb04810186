// Files from outside the app: the open and save dialogs, and files dropped on the window. Each
// degrades to "nothing chosen" where the platform layer is missing (component tests).
import { open, save } from "@tauri-apps/plugin-dialog";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { listen } from "@tauri-apps/api/event";

const EXPORT_FILTERS = [{ name: "Lead exports", extensions: ["csv", "tsv", "txt", "xlsx"] }];

export async function pickImportFile(): Promise<string | null> {
  const chosen = await open({ multiple: false, directory: false, filters: EXPORT_FILTERS, title: "Import a lead export file" });
  return typeof chosen === "string" ? chosen : null;
}

export async function pickExportFile(kind: "csv" | "xlsx"): Promise<string | null> {
  const name = kind === "csv" ? "CSV" : "Excel workbook";
  return save({ title: `Export leads as ${kind.toUpperCase()}`, defaultPath: `leads.${kind}`, filters: [{ name, extensions: [kind] }] });
}

export async function pickPackageFile(requestId: number): Promise<string | null> {
  return save({ title: "Save the person's data", defaultPath: `request-${requestId}.zip`, filters: [{ name: "ZIP", extensions: ["zip"] }] });
}

const MAPPING_FILTERS = [{ name: "Field mapping", extensions: ["json"] }];

export async function pickMappingExportFile(crm: string, form: string): Promise<string | null> {
  return save({ title: "Export the field mapping", defaultPath: `mapping-${crm}-${form}.json`, filters: MAPPING_FILTERS });
}

export async function pickMappingImportFile(): Promise<string | null> {
  const chosen = await open({ multiple: false, directory: false, filters: MAPPING_FILTERS, title: "Import a field mapping" });
  return typeof chosen === "string" ? chosen : null;
}

export async function pickPixelBulkFile(): Promise<string | null> {
  const chosen = await open({ multiple: false, directory: false, filters: [{ name: "CSV", extensions: ["csv", "txt"] }], title: "Bulk pixel changes" });
  return typeof chosen === "string" ? chosen : null;
}

export async function pickConsentExportFile(client: string): Promise<string | null> {
  const name = `consent-${client.replace(/[^A-Za-z0-9-]+/g, "-").toLowerCase()}.csv`;
  return save({ title: "Export the consent register", defaultPath: name, filters: [{ name: "CSV", extensions: ["csv"] }] });
}

export async function pickLeakedFile(): Promise<string | null> {
  const filters = [{ name: "Lead exports and lists of identifiers", extensions: ["csv", "tsv", "txt", "xlsx"] }];
  const chosen = await open({ multiple: false, directory: false, filters, title: "The file that leaked" });
  return typeof chosen === "string" ? chosen : null;
}

export async function pickNoticeFile(id: number, audience: "authority" | "subjects"): Promise<string | null> {
  const name = audience === "authority" ? `breach-${id}-authority.html` : `breach-${id}-people.html`;
  return save({ title: "Save the draft notice", defaultPath: name, filters: [{ name: "HTML", extensions: ["html"] }] });
}

export async function pickChatFile(): Promise<string | null> {
  const filters = [{ name: "WhatsApp exports and webhook archives", extensions: ["txt", "zip", "jsonl", "json", "ndjson"] }];
  const chosen = await open({ multiple: false, directory: false, filters, title: "Import conversations" });
  return typeof chosen === "string" ? chosen : null;
}

/** Subscribes with `start` where the platform layer is there; returns the unsubscribe function,
 * which also works before the subscription has been made. */
function subscribe(start: () => Promise<() => void>): () => void {
  let unlisten: (() => void) | null = null;
  let stopped = false;
  try {
    start()
      .then((u) => (stopped ? u() : (unlisten = u)))
      .catch(() => undefined);
  } catch {
    // No webview or backend events (component tests): nothing arrives.
  }
  return () => {
    stopped = true;
    unlisten?.();
  };
}

/** Calls `onFile` with the first file dropped on the window; returns the unsubscribe function. */
export function onFileDrop(onFile: (path: string) => void): () => void {
  return subscribe(() =>
    getCurrentWebview().onDragDropEvent((event) => {
      if (event.payload.type === "drop" && event.payload.paths[0]) onFile(event.payload.paths[0]);
    }),
  );
}

/** Calls `onLocked` when the backend locks the window itself (idle, or the screen locked). */
export function onBackendLock(onLocked: () => void): () => void {
  return subscribe(() => listen("custodian://locked", () => onLocked()));
}

/** How far indexing the leads again (once, after an upgrade) has come. */
export type Reindexing = { done: number; total: number };

/** Calls `onProgress` as the backend indexes the leads again; returns the unsubscribe function. */
export function onReindex(onProgress: (p: Reindexing) => void): () => void {
  return subscribe(() => listen<Reindexing>("custodian://reindex", (event) => onProgress(event.payload)));
}
