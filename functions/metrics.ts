/**
 * Request counts and latencies per route, kept by the handler instance that served them, and
 * rendered in Prometheus' text format with the registry's own gauges. Latency buckets are fixed so a
 * long-running instance uses constant memory whatever it serves.
 */
import type { LocalStats } from "./backend.ts";

/** What mntr, srvr and /metrics report besides requests: the member's status and local numbers. */
export interface ServerStats extends Partial<LocalStats> {
  readonly mode: string;
  readonly memberId: string;
  readonly epoch: number;
  readonly lastZxid: number;
  readonly logLag: number;
  readonly ready: boolean;
  /** why the member does not serve, when it does not */
  readonly unavailable?: string;
  /** the watches this process holds: this handler's long polls and streams, the ZooKeeper port's */
  readonly watchCount: number;
  /** requests this handler instance is serving */
  readonly outstandingRequests: number;
}

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** one route's requests by status and its latency histogram */
interface Series {
  readonly byStatus: Map<number, number>;
  count: number;
  sum: number;
  readonly buckets: number[];
}

export class HttpMetrics {
  /** by route; labels are escaped only when rendered, so a request costs two map lookups */
  readonly #routes = new Map<string, Series>();
  #inFlight = 0;

  /**
   * Serves one request of `route`, counting it and timing it until its response is ready. Routes call
   * this themselves rather than through a Hono middleware, so each path has one handler and Hono
   * dispatches it directly, without building a compose chain per request.
   */
  async serve(route: string, handle: () => Response | Promise<Response>): Promise<Response> {
    const start = performance.now();
    this.#inFlight++;
    let status = 503;
    try {
      const res = await handle();
      status = res.status;
      return res;
    } finally {
      this.#inFlight--;
      this.observe(route, status, (performance.now() - start) / 1000);
    }
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  observe(route: string, status: number, seconds: number): void {
    let series = this.#routes.get(route);
    if (series === undefined) {
      series = { byStatus: new Map(), count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
      this.#routes.set(route, series);
    }
    series.byStatus.set(status, (series.byStatus.get(status) ?? 0) + 1);
    series.count++;
    series.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) series.buckets[i]!++;
  }

  render(stats: ServerStats | undefined): string {
    const lines: string[] = [
      "# HELP nzk_http_requests_total HTTP requests served, by route and status.",
      "# TYPE nzk_http_requests_total counter",
    ];
    for (const [route, s] of this.#routes)
      for (const [status, n] of s.byStatus)
        lines.push(`nzk_http_requests_total{route="${escapeLabel(route)}",code="${status}"} ${n}`);
    lines.push(
      "# HELP nzk_http_request_duration_seconds HTTP request latency, by route.",
      "# TYPE nzk_http_request_duration_seconds histogram",
    );
    for (const [route, s] of this.#routes) {
      const labels = `route="${escapeLabel(route)}"`;
      for (const [i, le] of BUCKETS.entries())
        lines.push(`nzk_http_request_duration_seconds_bucket{${labels},le="${le}"} ${s.buckets[i]}`);
      lines.push(`nzk_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${s.count}`);
      lines.push(`nzk_http_request_duration_seconds_sum{${labels}} ${s.sum}`);
      lines.push(`nzk_http_request_duration_seconds_count{${labels}} ${s.count}`);
    }
    gauge(lines, "nzk_http_requests_in_flight", "HTTP requests being served now.", this.#inFlight);
    if (stats !== undefined) {
      gauge(lines, "nzk_znode_count", "Znodes in the tree.", stats.znodeCount);
      gauge(lines, "nzk_ephemerals_count", "Ephemeral znodes.", stats.ephemeralsCount);
      gauge(lines, "nzk_watch_count", "Watches being waited on.", stats.watchCount);
      gauge(lines, "nzk_sessions", "Live sessions.", stats.sessionCount);
      gauge(
        lines,
        "nzk_outstanding_requests",
        "Writes submitted and not yet answered.",
        stats.outstandingRequests,
      );
      gauge(lines, "nzk_log_lag", "Log entries this member has yet to apply.", stats.logLag);
      gauge(lines, "nzk_last_zxid", "The last zxid this member applied.", stats.lastZxid);
      gauge(lines, "nzk_epoch", "The current epoch.", stats.epoch);
      lines.push("# HELP nzk_mode The member's mode (1 for the current one).", "# TYPE nzk_mode gauge");
      for (const mode of ["leading", "following", "observing", "looking", "standalone"])
        lines.push(`nzk_mode{mode="${mode}"} ${stats.mode === mode ? 1 : 0}`);
    }
    return `${lines.join("\n")}\n`;
  }
}

function gauge(lines: string[], name: string, help: string, value: number | undefined): void {
  if (value === undefined) return;
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value}`);
}

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}
