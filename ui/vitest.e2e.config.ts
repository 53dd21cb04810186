import { defineConfig } from "vitest/config";

// Drives the real app binary through tauri-driver; started by tests/e2e/run.sh, never by `vitest run`.
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
