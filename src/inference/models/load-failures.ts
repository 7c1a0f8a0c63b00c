import { normalizeRoot } from '../serving/local-models.ts'

/** Why a published version is not served here. */
export interface LoadFailure {
  model: string
  versionId: string
  contentRoot: string
  reason: string
  /** Unix ms of the failure. */
  at: number
}

/**
 * The published versions that failed to load on this node, by content root. Content is addressed by its
 * hash, so a root that failed once fails again: the resolver skips it (serving the last good version) and
 * the model server does not retry it.
 */
export class LoadFailures {
  private readonly byRoot = new Map<string, LoadFailure>()
  private count = 0

  record(f: LoadFailure): void {
    this.byRoot.set(normalizeRoot(f.contentRoot), f)
    this.count++
  }

  has(contentRoot: string): boolean {
    return this.byRoot.has(normalizeRoot(contentRoot))
  }

  all(): LoadFailure[] {
    return [...this.byRoot.values()]
  }

  /** Failures recorded since start (the metric). */
  total(): number {
    return this.count
  }
}
