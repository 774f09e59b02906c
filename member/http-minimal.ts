/**
 * The HTTP surface of a member that is still recovering (main.ts then serves functions/' full API):
 * GET /v1/status and GET /commands/ruok. ruok answers only once recovery is done (unlike ZooKeeper's, which answers seconds
 * before reads work), so a load balancer never routes to a member that cannot serve yet.
 */
import { Hono } from "hono";
import type { Member } from "./member.ts";
import { memberStatus } from "./status.ts";

export function minimalApp(member: () => Member | undefined): Hono {
  const app = new Hono();
  app.get("/commands/ruok", (c) => {
    const m = member();
    if (m?.ready !== true) return c.json({ command: "ruok", error: "not serving: recovering" }, 503);
    const unavailable = m.unavailable();
    if (unavailable !== undefined)
      return c.json({ command: "ruok", error: `not serving: ${unavailable}` }, 503);
    return c.json({ command: "ruok", error: null });
  });
  app.get("/v1/status", async (c) => {
    const m = member();
    if (m === undefined) return c.json({ mode: "looking", ready: false }, 503);
    return c.json(await memberStatus(m), m.serving ? 200 : 503);
  });
  return app;
}
