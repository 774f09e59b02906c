import { defineConfig } from "vitest/config";

// Node 20 has a WebSocket global only behind this flag (22 has it by default); nats.js's wsconnect needs it.
const webSocketFlag = typeof globalThis.WebSocket === "undefined" ? ["--experimental-websocket"] : [];

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    execArgv: webSocketFlag,
    globalSetup: ["test/fixtures/nats-binary-setup.ts"],
  },
});
