import type { Logger } from '../log.ts'

/** The stop steps of a node's parts, run once in reverse order of start (a failing step is logged). */
export class Cleanups {
  private readonly steps: (() => Promise<void>)[] = []
  private running: Promise<void> | undefined

  constructor(private readonly log: Logger) {}

  /** Registers the stop step of a part that just started. */
  push(step: () => Promise<void>): void {
    this.steps.push(step)
  }

  /** Runs every step, last first; later calls wait for the same run. */
  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        await step().catch((err) => this.log.warn({ err }, 'cleanup failed'))
      }
    })()
    return this.running
  }
}
