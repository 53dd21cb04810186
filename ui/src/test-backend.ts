// An in-memory stand-in for the Rust commands, for component tests only. It answers through
// Tauri's IPC mock, so the typed api/ layer and its error mapping are exercised as in the app.
import { mockIPC, clearMocks } from "@tauri-apps/api/mocks";
import type { ApiError, AuditEntry, Client } from "./api";

export type Backend = { clients: Client[]; audit: AuditEntry[]; fail?: ApiError };

export function installBackend(initial: string[] = [], fail?: ApiError): Backend {
  const backend: Backend = { clients: [], audit: [], fail };
  let seq = 0;
  const record = (action: string, object: string) => {
    seq += 1;
    backend.audit.unshift({
      seq, at: "2026-11-22T10:00:00.000Z", actor: "ada", action, object, outcome: "ok", subject: null,
      prev_hash: "0".repeat(64), hash: String(seq).padStart(64, "0"),
    });
  };
  const add = (name: string) => {
    const c = { id: `id-${name}`, name: name.trim(), created_at: "2026-11-22T10:00:00.000Z" };
    backend.clients.push(c);
    record("client.add", c.name);
    return c;
  };
  initial.forEach(add);
  const find = (name: string) => {
    const c = backend.clients.find((x) => x.name.toLowerCase() === name.trim().toLowerCase());
    if (!c) throw { code: "not_found", message: `No client is named '${name}'.` } satisfies ApiError;
    return c;
  };

  clearMocks();
  mockIPC((cmd, args) => {
    if (backend.fail) throw backend.fail;
    const a = (args ?? {}) as Record<string, string>;
    switch (cmd) {
      case "overview":
        return { workspace_id: "ws", data_dir: "/data", clients: backend.clients.length, audit_entries: backend.audit.length };
      case "list_clients":
        return [...backend.clients].sort((x, y) => x.name.localeCompare(y.name));
      case "add_client": {
        const name = a.name ?? "";
        if (backend.clients.some((x) => x.name.toLowerCase() === name.trim().toLowerCase())) {
          throw { code: "conflict", message: `A client named '${name}' already exists; choose another name.` } satisfies ApiError;
        }
        return add(name);
      }
      case "rename_client": {
        const c = find(a.old ?? "");
        c.name = (a.new ?? "").trim();
        record("client.rename", c.name);
        return c;
      }
      case "client_holdings":
        return { client: find(a.name ?? ""), held: [] };
      case "remove_client": {
        const c = find(a.name ?? "");
        backend.clients = backend.clients.filter((x) => x !== c);
        record("client.remove", c.name);
        return { client: c, removed: [] };
      }
      case "audit_list":
        return backend.audit;
      case "audit_verify":
        return { intact: true, entries: backend.audit.length, head: "f".repeat(64), broken: null };
      default:
        throw { code: "internal", message: `unknown command ${cmd}` } satisfies ApiError;
    }
  });
  return backend;
}
