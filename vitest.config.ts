import { defineConfig } from "vitest/config";

// Node 20 has a WebSocket global only behind this flag (22 has it by default); nats.js's wsconnect needs it.
const webSocketFlag = typeof globalThis.WebSocket === "undefined" ? ["--experimental-websocket"] : [];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    execArgv: webSocketFlag,
    globalSetup: ["test/fixtures/nats-binary-setup.ts"],
    projects: [
      {
        // core/ is pure (no processes, no timers, no module state), so its files share workers and run
        // side by side; they all finish before the first integration file starts.
        extends: true,
        test: {
          name: "core",
          include: ["test/core/**/*.test.ts"],
          isolate: false,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // These files start nats-servers and members (in-process and as child processes), kill and pause
        // them, and wait out session and election timeouts: run side by side they would starve each
        // other's event loops into false suspicions. One at a time, whatever core count the machine
        // reports (Node 20's count does not see a container's CPU quota).
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: ["test/core/**"],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
