/**
 * Request bodies as JSON, read with a byte limit so an endless or huge body costs the server at most
 * the limit, and refused as ZooKeeper refuses an oversize packet (MarshallingError) when over it.
 * Whatever the Content-Type says, the body is JSON: `curl -d` sends form encoding by default, and a
 * gateway that refused it would only teach users to add a header.
 */
import { type ZkError, zkError } from "../core/errors.ts";
import { badArguments } from "./errors.ts";

/** The parsed body, undefined for an empty one. */
export async function readJson(req: Request, limitBytes: number): Promise<unknown | ZkError> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limitBytes) return tooLarge(limitBytes);
  if (req.body === null) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel();
      return tooLarge(limitBytes);
    }
    chunks.push(value);
  }
  if (size === 0) return undefined;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return badArguments("the request body is not UTF-8");
  }
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return badArguments(`the request body is not JSON: ${(err as Error).message}`);
  }
}

function tooLarge(limitBytes: number): ZkError {
  return zkError("MarshallingError", `the request body is over ${limitBytes} bytes`);
}
