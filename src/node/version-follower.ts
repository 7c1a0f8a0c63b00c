import type { Logger } from '../log.ts'
import type { FetchResult } from '../store/index.ts'

/**
 * Fetches each newly published version of the models this node follows, retrying while no peer
 * announces it yet (announcements arrive every few seconds).
 */
export class VersionFollower {
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly inFlight = new Set<string>()
  private stopped = false

  constructor(
    private readonly c: {
      follows(modelId: bigint): boolean
      has(root: string): boolean
      fetch(root: string): Promise<FetchResult>
      log: Logger
    },
    private readonly opts: { retryMs: number; maxAttempts: number } = { retryMs: 5_000, maxAttempts: 120 },
  ) {}

  /** Called for each VersionPublished event. */
  onVersionPublished(e: { modelId: bigint; versionId: bigint; contentRoot: `0x${string}` }): void {
    if (!this.c.follows(e.modelId)) return
    const root = e.contentRoot.slice(2)
    if (this.c.has(root) || this.inFlight.has(root)) return
    this.inFlight.add(root)
    void this.attempt(root, e, 1)
  }

  private async attempt(root: string, e: { modelId: bigint; versionId: bigint }, n: number): Promise<void> {
    if (this.stopped) return
    try {
      const r = await this.c.fetch(root)
      this.c.log.info(
        { modelId: e.modelId.toString(), versionId: e.versionId.toString(), root, bytes: r.size },
        'fetched published version',
      )
      this.inFlight.delete(root)
    } catch (err) {
      if (n >= this.opts.maxAttempts || this.stopped) {
        this.c.log.warn({ root, err: (err as Error).message }, 'giving up fetching published version')
        this.inFlight.delete(root)
        return
      }
      const t = setTimeout(() => {
        this.timers.delete(t)
        void this.attempt(root, e, n + 1)
      }, this.opts.retryMs)
      this.timers.add(t)
    }
  }

  stop(): void {
    this.stopped = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }
}
