/**
 * Apache Curator 5's ServiceInstance JSON, as its JsonInstanceSerializer writes it (Jackson, fields in
 * declaration order), so Curator's ServiceDiscovery reads what nzk registers. Curator fails a whole
 * service on one unparsable instance, so only values built here are ever written. The payload is
 * typed as Curator types it (@JsonTypeInfo CLASS): a JSON object becomes a java.util.LinkedHashMap.
 */
export interface UriPart {
  readonly value: string;
  readonly variable: boolean;
}

export interface ServiceInstanceJson {
  readonly name: string;
  readonly id: string;
  readonly address: string;
  readonly port: number | null;
  readonly sslPort: number | null;
  readonly payload: Record<string, unknown> | null;
  readonly registrationTimeUTC: number;
  readonly serviceType: "DYNAMIC";
  readonly uriSpec: { readonly parts: readonly UriPart[] } | null;
  readonly enabled: boolean;
}

export interface InstanceInput {
  readonly address: string;
  readonly port?: number | undefined;
  readonly sslPort?: number | undefined;
  readonly payload?: Record<string, unknown> | null | undefined;
  readonly uriSpec?: string | undefined;
  readonly enabled?: boolean | undefined;
}

export function serviceInstance(
  name: string,
  id: string,
  input: InstanceInput,
  now: number,
): ServiceInstanceJson {
  return {
    name,
    id,
    address: input.address,
    port: input.port ?? null,
    sslPort: input.sslPort ?? null,
    payload:
      input.payload === undefined || input.payload === null
        ? null
        : { "@class": "java.util.LinkedHashMap", ...input.payload },
    registrationTimeUTC: now,
    serviceType: "DYNAMIC",
    uriSpec: input.uriSpec === undefined ? null : { parts: uriParts(input.uriSpec) },
    enabled: input.enabled ?? true,
  };
}

/** Curator's UriSpec parsing: "{name}" parts are variables, the text between them literals. */
export function uriParts(spec: string): UriPart[] {
  const parts: UriPart[] = [];
  const re = /\{([^}]*)\}/g;
  let at = 0;
  for (let m = re.exec(spec); m !== null; m = re.exec(spec)) {
    if (m.index > at) parts.push({ value: spec.slice(at, m.index), variable: false });
    parts.push({ value: m[1]!, variable: true });
    at = m.index + m[0].length;
  }
  if (at < spec.length) parts.push({ value: spec.slice(at), variable: false });
  return parts;
}
