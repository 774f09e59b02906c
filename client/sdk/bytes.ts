/**
 * Znode data in the API's JSON: UTF-8 text, or base64 for bytes that are not UTF-8. Written with the
 * Web's TextEncoder, btoa and atob so the SDK runs where Buffer does not (Workers, Deno, browsers).
 */
export type Data = string | Uint8Array;

export interface DataJson {
  readonly data: string;
  readonly encoding: "utf8" | "base64";
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function toDataJson(data: Data | undefined): DataJson {
  if (data === undefined) return { data: "", encoding: "utf8" };
  if (typeof data === "string") return { data, encoding: "utf8" };
  let binary = "";
  for (let i = 0; i < data.length; i += 0x8000)
    binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
  return { data: btoa(binary), encoding: "base64" };
}

export function bytesOf(json: DataJson): Uint8Array {
  if (json.encoding === "utf8") return encoder.encode(json.data);
  const binary = atob(json.data);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function textOf(json: DataJson): string {
  return json.encoding === "utf8" ? json.data : decoder.decode(bytesOf(json));
}
