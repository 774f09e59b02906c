/** Throughput and latency of concurrent writers, and the CPU time of processes, for the bench scripts. */
import { readFileSync } from "node:fs";

export interface Row {
  what: string;
  writers: number;
  ops: number;
  opsPerSec: number;
  p50: number;
  p99: number;
}

export const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

/** how long each row's load runs untimed before it is measured */
export const WARM_UP_SECONDS = 1;
/** the line a load process prints when its warm-up is over and the timed run starts */
export const MEASURING = "measuring";

/** the first op number of a warm-up, so its ops (paths made of w and i) differ from the timed ones */
const WARM_UP_FROM = 1_000_000_000;

export interface MeasureOptions {
  /** seconds of the same load, untimed, first: a fresh process runs its first second of ops cold */
  readonly warmUpSeconds?: number;
  /** called between the warm-up and the timed run, to start counters */
  readonly onMeasuring?: () => void;
}

/** Runs `writers` loops of op for `seconds`, each waiting for its previous op. */
export async function measure(
  seconds: number,
  what: string,
  writers: number,
  op: (w: number, i: number) => Promise<void>,
  options: MeasureOptions = {},
): Promise<Row> {
  if (options.warmUpSeconds !== undefined && options.warmUpSeconds > 0) {
    await measure(options.warmUpSeconds, "warm-up", writers, (w, i) => op(w, WARM_UP_FROM + i));
  }
  options.onMeasuring?.();
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        await op(w, i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    what,
    writers,
    ops: latencies.length,
    opsPerSec: latencies.length / elapsed,
    p50: pct(latencies, 0.5),
    p99: pct(latencies, 0.99),
  };
}

/**
 * The timed part of a load process (bench/follower-load.ts, bench/api-load.ts): a warm-up, the line
 * MEASURING for the parent to start its counters, then the timed run; with this process's CPU time
 * during the timed run (loadCpuMs).
 */
export async function measureLoad(
  seconds: number,
  what: string,
  writers: number,
  op: (w: number, i: number) => Promise<void>,
): Promise<Row & { loadCpuMs: number }> {
  let cpu = process.cpuUsage();
  const row = await measure(seconds, what, writers, op, {
    warmUpSeconds: WARM_UP_SECONDS,
    onMeasuring: () => {
      cpu = process.cpuUsage();
      process.stdout.write(`${MEASURING}\n`);
    },
  });
  const used = process.cpuUsage(cpu);
  return { ...row, loadCpuMs: (used.user + used.system) / 1000 };
}

/** CPU time (user + system) a process has used, in ms; Linux's /proc, undefined elsewhere. */
export function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime, in clock ticks of 10 ms
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

export function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}
