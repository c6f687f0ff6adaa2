/** Where the harness reports progress: one line each, to stderr by default. */
export type LogLine = (line: string) => void;

/** Writes `[nes-testing] line` to stderr, out of the way of test reporters' stdout. */
export const stderrLog: LogLine = (line) => {
  process.stderr.write(`[nes-testing] ${line}\n`);
};

/** Milliseconds since `start` (from `performance.now()`), rounded. */
export function elapsedMs(start: number): number {
  return Math.round(performance.now() - start);
}
