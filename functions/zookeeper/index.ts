export { type BackendInfo, memberBackend, type ServerMode, type ZkBackend } from "./backend.ts";
export type { Limits } from "./connection.ts";
export { ENABLED as FOUR_LETTER_WORDS } from "./four-letter.ts";
export { ZkServer, type ZkServerOptions } from "./server.ts";
