// A minimal W3C WebDriver client for tauri-driver: just what the end-to-end tests use.
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function request<T>(url: string, method: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as { value: T & { error?: string; message?: string } };
  if (!res.ok) throw new Error(`${method} ${url}: ${json.value.error ?? res.status}: ${json.value.message ?? ""}`);
  return json.value;
}

/** tauri-driver running on free loopback ports, with the environment the app should see. */
export class Driver {
  private constructor(
    private readonly process: ChildProcess,
    readonly base: string,
  ) {}

  static async start(env: NodeJS.ProcessEnv): Promise<Driver> {
    const port = await freePort();
    const nativePort = await freePort();
    const child = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
      env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      try {
        await request(`${base}/status`, "GET");
        return new Driver(child, base);
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    child.kill();
    throw new Error("tauri-driver did not start within 20 s");
  }

  stop() {
    this.process.kill();
  }

  async launch(application: string): Promise<Session> {
    const created = await request<{ sessionId: string }>(`${this.base}/session`, "POST", {
      capabilities: { alwaysMatch: { "tauri:options": { application } } },
    });
    return new Session(`${this.base}/session/${created.sessionId}`);
  }
}

export class Session {
  constructor(private readonly url: string) {}

  /** Waits until `css` matches an element whose text contains `text` (any text when omitted). */
  async waitFor(css: string, text = "", timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      try {
        const found = await request<Record<string, string>[]>(`${this.url}/elements`, "POST", { using: "css selector", value: css });
        for (const el of found) {
          const id = el[ELEMENT];
          if (!id) continue;
          // textContent rather than WebDriver's rendered text, which WebKit reports as empty for
          // absolutely positioned rows such as the virtualised lead table's.
          last = (await request<string | null>(`${this.url}/element/${id}/property/textContent`, "GET")) ?? "";
          if (last.includes(text)) return id;
        }
      } catch {
        // The page may be between renders; try again until the deadline.
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${css} to contain "${text}" (last text: "${last}")`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async absent(css: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await request<unknown[]>(`${this.url}/elements`, "POST", { using: "css selector", value: css });
      if (found.length === 0) return;
      if (Date.now() > deadline) throw new Error(`${css} is still there`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Clicks `css` once it is enabled, as a person waits for a greyed-out button to come alive. */
  async click(css: string, text = "", timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const id = await this.waitFor(css, text, timeoutMs);
      const disabled = await request<boolean | null>(`${this.url}/element/${id}/property/disabled`, "GET").catch(() => true);
      if (!disabled) {
        // A button below the fold of a scrolling dialog is brought into view, as a person scrolls to it.
        await request(`${this.url}/execute/sync`, "POST", {
          script: "arguments[0].scrollIntoView({ block: 'center' });",
          args: [{ "element-6066-11e4-a52e-4f735466cecf": id }],
        });
        await request(`${this.url}/element/${id}/click`, "POST", {});
        return;
      }
      if (Date.now() > deadline) throw new Error(`${css} stayed disabled`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async type(css: string, value: string): Promise<void> {
    const id = await this.waitFor(css);
    await request(`${this.url}/element/${id}/value`, "POST", { text: value });
  }

  /**
   * Chooses the option with `value` in a <select>, as a person picking it would (React sees it), once
   * the select has it: its options often come in after it shows.
   */
  async select(css: string, value: string, timeoutMs = 15_000): Promise<void> {
    await this.waitFor(css);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const chosen = await request<boolean>(`${this.url}/execute/sync`, "POST", {
        script:
          "const el = document.querySelector(arguments[0]);" +
          "if (!el || ![...el.options].some((o) => o.value === arguments[1])) return false;" +
          "Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set.call(el, arguments[1]);" +
          "el.dispatchEvent(new Event('change', { bubbles: true }));" +
          "return true;",
        args: [css, value],
      });
      if (chosen) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${css} to offer the value "${value}"`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Empties a text field, as a person selecting its text and deleting it would. */
  async clear(css: string): Promise<void> {
    const id = await this.waitFor(css);
    await request(`${this.url}/element/${id}/clear`, "POST", {});
  }

  /** Runs `script`, which calls its last argument with a result when done, and returns that result. */
  async evaluateAsync<T>(script: string, ...args: unknown[]): Promise<T> {
    return request<T>(`${this.url}/execute/async`, "POST", { script, args });
  }

  /** Runs `script` in the window and returns what it returns. */
  async evaluate<T>(script: string, ...args: unknown[]): Promise<T> {
    return request<T>(`${this.url}/execute/sync`, "POST", { script, args });
  }

  async screenshot(path: string): Promise<void> {
    // WebKit captures the last painted frame: let two frames pass so the newest render is on screen.
    await request(`${this.url}/execute/async`, "POST", {
      script: "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done()));",
      args: [],
    });
    const png = await request<string>(`${this.url}/screenshot`, "GET");
    writeFileSync(path, Buffer.from(png, "base64"));
  }

  async close(): Promise<void> {
    await request(this.url, "DELETE");
  }
}
