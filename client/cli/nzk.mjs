#!/usr/bin/env node
// The installed `nzk` command: TypeScript run through tsx, as `npm start` runs the member.
import { register } from "tsx/esm/api";

register();
await import("./main.ts");
