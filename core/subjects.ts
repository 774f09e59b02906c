/**
 * Znode path ↔ NATS subject, for watch events (shared/API.md, "On NATS"). Each path segment becomes
 * one subject token, so `prefix.>` is a recursive watch. NATS tokens cannot hold `.`, `*`, `>`,
 * whitespace or be empty, and a ZooKeeper segment can hold nearly anything, so every byte of a
 * segment's UTF-8 outside [A-Za-z0-9_-] becomes `~` and two uppercase hex digits (`~` included): the
 * mapping is one-to-one and plain names read as themselves. The root maps to the prefix itself.
 * ZooKeeper's validatePath lets a lone U+D800 through, which UTF-8 cannot hold, so code points are
 * written as WTF-8 (UTF-8 that also encodes lone surrogates) to keep every legal path reversible.
 */
const PLAIN = /^[A-Za-z0-9_-]$/;
/** Segments that read as themselves: one test instead of one per character (most names are plain). */
const PLAIN_SEGMENT = /^[A-Za-z0-9_-]+$/;
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_-]+)+$/;

export const DEFAULT_EVENT_PREFIX = "nzk.ev";

function encodeSegment(segment: string): string {
  if (PLAIN_SEGMENT.test(segment)) return segment;
  let out = "";
  for (const ch of segment) {
    if (PLAIN.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of wtf8(ch.codePointAt(0)!))
      out += `~${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function wtf8(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}

/** Reads WTF-8 back into a string; undefined for any byte sequence wtf8() would not have written. */
function fromWtf8(bytes: readonly number[]): string | undefined {
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const len =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return undefined;
    let cp = len === 1 ? b : b & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (c & 0x3f);
    }
    const min = [0, 0, 0x80, 0x800, 0x10000][len]!;
    if (cp < min || cp > 0x10ffff) return undefined;
    // A surrogate pair must be written as one 4-byte code point, never as two 3-byte halves.
    if (cp >= 0xdc00 && cp <= 0xdfff && out.length > 0) {
      const prev = out.charCodeAt(out.length - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) return undefined;
    }
    out += String.fromCodePoint(cp);
    i += len;
  }
  return out;
}

function decodeToken(token: string): string | undefined {
  if (token.length === 0) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; ) {
    const ch = token[i]!;
    if (ch === "~") {
      const hex = token.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
      const byte = Number.parseInt(hex, 16);
      // An escaped plain byte would give a second spelling of the same segment.
      if (byte < 0x80 && PLAIN.test(String.fromCharCode(byte))) return undefined;
      bytes.push(byte);
      i += 3;
    } else if (PLAIN.test(ch)) {
      bytes.push(ch.charCodeAt(0));
      i += 1;
    } else {
      return undefined;
    }
  }
  return fromWtf8(bytes);
}

/** The subject of a (valid) znode path. */
export function pathToSubject(path: string, prefix = DEFAULT_EVENT_PREFIX): string {
  if (path === "/") return prefix;
  if (PLAIN_PATH.test(path)) return prefix + path.replaceAll("/", ".");
  return `${prefix}.${path.slice(1).split("/").map(encodeSegment).join(".")}`;
}

/** The path of a subject under the prefix; undefined when the subject is not one pathToSubject makes. */
export function subjectToPath(subject: string, prefix = DEFAULT_EVENT_PREFIX): string | undefined {
  if (subject === prefix) return "/";
  if (!subject.startsWith(`${prefix}.`)) return undefined;
  const segments: string[] = [];
  for (const token of subject.slice(prefix.length + 1).split(".")) {
    const segment = decodeToken(token);
    if (segment === undefined) return undefined;
    segments.push(segment);
  }
  return `/${segments.join("/")}`;
}

/** The subject that matches every event at or below the path, except the path's own (NATS `>`). */
export function subtreeSubject(path: string, prefix = DEFAULT_EVENT_PREFIX): string {
  return `${pathToSubject(path, prefix)}.>`;
}
