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
  const bytes = await readBytes(req, limitBytes);
  if (!(bytes instanceof Uint8Array)) return bytes;
  if (bytes.byteLength === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(bytes);
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

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The body's bytes. With a Content-Length within the limit the runtime reads them in one go (the
 * HTTP parser holds the body to that length; on Node this skips building a web stream over the
 * socket, a third of a small request's cost); without one they are read as a stream and counted.
 */
async function readBytes(req: Request, limitBytes: number): Promise<Uint8Array | ZkError> {
  const length = req.headers.get("content-length");
  if (length !== null) {
    if (Number(length) > limitBytes) return tooLarge(limitBytes);
    return new Uint8Array(await req.arrayBuffer());
  }
  if (req.body === null) return new Uint8Array(0);
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
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

function tooLarge(limitBytes: number): ZkError {
  return zkError("MarshallingError", `the request body is over ${limitBytes} bytes`);
}
