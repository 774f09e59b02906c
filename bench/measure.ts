/** Throughput and latency of concurrent writers, for the bench scripts. */
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

/** Runs `writers` loops of op for `seconds`, each waiting for its previous op. */
export async function measure(
  seconds: number,
  what: string,
  writers: number,
  op: (w: number, i: number) => Promise<void>,
): Promise<Row> {
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
