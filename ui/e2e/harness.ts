// What every end-to-end test file needs: the app binary, a fresh data directory, tauri-driver
// passing that directory on to the app, and the same binary as a CLI on the same data.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { Driver } from "./webdriver";

export type Harness = {
  app: string;
  dataDir: string;
  shots: string;
  driver: Driver;
  cli: (...args: string[]) => string;
  /** The CLI reading `input` on its standard input, as it reads tokens, which never go on a command line. */
  cliWithInput: (input: string, ...args: string[]) => string;
};

// The day every end-to-end test lives on, whatever the calendar says: the app and the CLI both take
// their time from it, so deadlines and retention read the same on any date.
export const TEST_CLOCK = "2026-11-23T09:00:00Z";

export async function startHarness(extraEnv: NodeJS.ProcessEnv = {}): Promise<Harness> {
  const app = process.env.CUSTODIAN_APP;
  if (!app) throw new Error("CUSTODIAN_APP must name the app binary (make test sets it)");
  const dataDir = mkdtempSync(path.join(tmpdir(), "custodian-e2e-"));
  const shots = path.resolve(app, "../../e2e");
  mkdirSync(shots, { recursive: true });
  // The app reads its data directory from the environment tauri-driver passes on.
  const env = { ...process.env, ...extraEnv, CUSTODIAN_DATA_DIR: dataDir, CUSTODIAN_CLOCK: TEST_CLOCK };
  const driver = await Driver.start(env);
  const cli = (...args: string[]) => execFileSync(app, ["--data-dir", dataDir, ...args], { encoding: "utf8", env });
  const cliWithInput = (input: string, ...args: string[]) =>
    execFileSync(app, ["--data-dir", dataDir, ...args], { encoding: "utf8", env, input });
  return { app, dataDir, shots, driver, cli, cliWithInput };
}

/**
 * Starts a service simulator, the binary that the environment variable `binaryVar` names, with
 * `args`, and reads the line it prints once it serves: its words, `URL TOKEN ...`.
 */
export async function startSimulator(binaryVar: string, args: string[]): Promise<{ process: ChildProcess; words: string[] }> {
  const binary = process.env[binaryVar];
  if (!binary) throw new Error(`${binaryVar} must name the simulator binary (make test sets it)`);
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the simulator stopped (${code})`)));
  });
  return { process: child, words: line.split(" ") };
}
