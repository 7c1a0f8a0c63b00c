// The goal rows a benchmark reports to `npm run bench` (bench/run.ts), which prints one table of every goal
// at the end. A benchmark run on its own (no BENCH_GOALS_FILE) only prints its own output.
import { appendFileSync } from 'node:fs'

/** One goal of one benchmark: what it asks, the figure measured in this run, and whether it holds. */
export interface GoalRow {
  readonly bench: string
  readonly goal: string
  readonly figure: string
  readonly met: boolean
}

/** True when the runner asked for reduced sizes (`npm run bench -- --quick`): figures are for development. */
export const QUICK = process.env.BENCH_QUICK === '1'

/** Records goal rows for the runner's final table (a JSON line each, in the file the runner named). */
export function reportGoals(rows: readonly GoalRow[]): void {
  const file = process.env.BENCH_GOALS_FILE
  if (file === undefined || rows.length === 0) return
  appendFileSync(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(''))
}

/** `x` as a ratio with two decimals, e.g. `0.83x`. */
export function times(x: number): string {
  return `${x.toFixed(2)}x`
}
