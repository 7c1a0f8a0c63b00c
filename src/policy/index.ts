/**
 * The policy domain: the usage policy the owners of a model voted (who may use it, at what price, under
 * which terms, how often), enforced at every edge through one gate.
 */
import {
  type ChainReader,
  ChainUnavailableError,
  getPublishedVersionId,
  type UsagePolicy,
} from '../chain/index.ts'
import { InvalidInputError } from '../errors.ts'
import { TtlCache } from '../ttl-cache.ts'
import { ChainPolicyFacts } from './chain-policy-facts.ts'
import { type PolicyFacts, type RequestBound, UsageGate } from './usage-gate.ts'

export interface UsagePolicyInit {
  /** How long a policy, allowlist entry or terms acceptance read from chain is trusted (default 2 s). */
  cacheMs?: number
}

export interface UsagePolicyComponents {
  reader: ChainReader
  /** Whether a consumer can pay through this node (its gateway); absent: `/v1` refuses paid models (402). */
  canPay?: PolicyFacts['canPay']
  /** Whether a consumer can pay this node for serving a peer's request; absent: peers' paid requests are refused. */
  canPayPeer?: PolicyFacts['canPay']
}

/** The gate, for `/v1` and for requests peers make on behalf of consumers. */
export interface UsagePolicyService {
  gate: UsageGate
  /** A model's usage policy (cached like the gate's). */
  policy(modelId: string): Promise<UsagePolicy>
  /**
   * The gate at the peer protocol: the request must name the registry model its content root is a
   * published version of (checked on chain, so a free model's id cannot cover a paid model's weights),
   * then the consumer is admitted as on `/v1`.
   */
  admitPeerRequest(req: {
    contentRoot: string
    modelId?: string
    consumer?: `0x${string}`
    bound?: RequestBound
    unmetered?: boolean
  }): Promise<void>
}

export function createUsagePolicy(init: UsagePolicyInit, c: UsagePolicyComponents): UsagePolicyService {
  const facts = new ChainPolicyFacts(c.reader, { ttlMs: init.cacheMs ?? 2_000 })
  const withPayment = (canPay: PolicyFacts['canPay']): PolicyFacts => ({
    policy: (m) => facts.policy(m),
    allowlisted: (m, a) => facts.allowlisted(m, a),
    acceptedTerms: (m, a) => facts.acceptedTerms(m, a),
    canPay,
  })
  const gate = new UsageGate(withPayment(c.canPay))
  const peerGate = new UsageGate(withPayment(c.canPayPeer))
  const versions = new TtlCache<bigint>(
    init.cacheMs ?? 2_000,
    10_000,
    Date.now,
    (err) => err instanceof ChainUnavailableError,
  )
  return {
    gate,
    policy: (modelId) => facts.policy(modelId),
    async admitPeerRequest(req) {
      if (req.modelId === undefined) {
        throw new InvalidInputError(
          'A peer request must name the registry model (modelId) its content root belongs to.',
        )
      }
      const root = (req.contentRoot.startsWith('0x') ? req.contentRoot : `0x${req.contentRoot}`).toLowerCase()
      const versionId = await versions.get(`${req.modelId}:${root}`, () =>
        getPublishedVersionId(c.reader, {
          modelId: BigInt(req.modelId!),
          contentRoot: root as `0x${string}`,
        }),
      )
      if (versionId === 0n) {
        throw new InvalidInputError(
          `Content root ${root} is not a published version of model ${req.modelId}.`,
        )
      }
      await peerGate.admit({
        modelId: req.modelId,
        modelName: `model ${req.modelId}`,
        consumer: req.consumer,
        bound: req.bound,
        unmetered: req.unmetered,
      })
    },
  }
}

export {
  ConsumerRateLimitedError,
  ConsumerUnknownError,
  NotAllowlistedError,
  PaymentRequiredError,
  type PolicyRefusal,
  TermsNotAcceptedError,
} from './errors.ts'
export { RateLimiter } from './rate-limiter.ts'
export { isOpenAndFree, type PolicyFacts, type RequestBound, UsageGate } from './usage-gate.ts'
