import {
  type ChainReader,
  ChainUnavailableError,
  getAcceptedTerms,
  getUsagePolicy,
  isAllowlisted,
  type UsagePolicy,
} from '../chain/index.ts'
import { TtlCache } from '../ttl-cache.ts'
import type { PolicyFacts } from './usage-gate.ts'

/**
 * Policy facts read from chain, cached for `ttlMs` (a passed proposal or an accepted terms transaction
 * takes effect on every node within that time, without a restart). Bounded: consumers are callers.
 */
export class ChainPolicyFacts implements PolicyFacts {
  private readonly policies: TtlCache<UsagePolicy>
  private readonly lists: TtlCache<boolean>
  private readonly terms: TtlCache<`0x${string}`>

  constructor(
    private readonly reader: ChainReader,
    init: { ttlMs: number; maxEntries?: number },
  ) {
    const max = init.maxEntries ?? 50_000
    // With the chain unreachable, the last facts read stand until it answers again (the node keeps
    // serving); a change voted meanwhile takes effect when it does.
    const stale = (err: unknown) => err instanceof ChainUnavailableError
    this.policies = new TtlCache(init.ttlMs, 1_000, Date.now, stale)
    this.lists = new TtlCache(init.ttlMs, max, Date.now, stale)
    this.terms = new TtlCache(init.ttlMs, max, Date.now, stale)
  }

  policy(modelId: string): Promise<UsagePolicy> {
    return this.policies.get(modelId, () => getUsagePolicy(this.reader, BigInt(modelId)))
  }

  allowlisted(modelId: string, consumer: `0x${string}`): Promise<boolean> {
    return this.lists.get(`${modelId}:${consumer.toLowerCase()}`, () =>
      isAllowlisted(this.reader, { modelId: BigInt(modelId), account: consumer }),
    )
  }

  acceptedTerms(modelId: string, consumer: `0x${string}`): Promise<`0x${string}`> {
    return this.terms.get(`${modelId}:${consumer.toLowerCase()}`, () =>
      getAcceptedTerms(this.reader, { modelId: BigInt(modelId), account: consumer }),
    )
  }
}
