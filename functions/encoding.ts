/**
 * Znode data in JSON (shared/API.md, "Identifiers and encodings"): "utf8" when the bytes are valid
 * UTF-8, else "base64"; a reader may force base64. Written without Buffer so the Worker runs it too,
 * and strict: base64 with stray characters or bad padding is refused, never silently truncated.
 */
import type { ZkError } from "../core/errors.ts";
import { badArguments } from "./errors.ts";

export type Encoding = "utf8" | "base64";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface EncodedData {
  readonly data: string;
  readonly encoding: Encoding;
}

export function encodeData(bytes: Uint8Array, force?: Encoding): EncodedData {
  if (force !== "base64") {
    try {
      return { data: strictUtf8.decode(bytes), encoding: "utf8" };
    } catch {
      // not UTF-8: base64 below
    }
  }
  return { data: toBase64(bytes), encoding: "base64" };
}

export function decodeData(data: string, encoding: Encoding = "utf8"): Uint8Array | ZkError {
  if (encoding === "utf8") return encoder.encode(data);
  const bytes = fromBase64(data);
  return bytes ?? badArguments("data is not valid base64");
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** undefined unless the text is canonical padded base64 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
