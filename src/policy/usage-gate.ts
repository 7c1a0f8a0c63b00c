import type { UsagePolicy } from '../chain/index.ts'
import {
  ConsumerRateLimitedError,
  ConsumerUnknownError,
  NotAllowlistedError,
  PaymentRequiredError,
  TermsNotAcceptedError,
} from './errors.ts'
import { RateLimiter } from './rate-limiter.ts'

const ZERO_HASH = `0x${'0'.repeat(64)}`

/** What the gate reads (from chain, through a cache). */
export interface PolicyFacts {
  policy(modelId: string): Promise<UsagePolicy>
  allowlisted(modelId: string, consumer: `0x${string}`): Promise<boolean>
  acceptedTerms(modelId: string, consumer: `0x${string}`): Promise<`0x${string}`>
  /**
   * Whether the consumer can pay for a request to a paid model, at most `bound` large; absent: this node
   * takes no payment.
   */
  canPay?(
    modelId: string,
    consumer: `0x${string}`,
    policy: UsagePolicy,
    bound: RequestBound,
  ): Promise<boolean>
}

/** How large a request can be: what its price is bounded by. */
export interface RequestBound {
  promptBytes: number
  maxTokens: number
}

/** Whether a free, open model: what anyone may use without saying who they are. */
export function isOpenAndFree(p: UsagePolicy): boolean {
  return p.open && p.promptPricePer1k === 0n && p.completionPricePer1k === 0n && p.termsHash === ZERO_HASH
}

/**
 * The usage policy at one edge (`/v1`, the peer protocol): admits a consumer to a model or throws the
 * refusal that says why and what to do. Order: who (allowlist), terms, payment, rate. Pure but for what
 * `facts` reads.
 * @example await gate.admit({ modelId: '1', consumer: '0xabc…' })
 */
export class UsageGate {
  private readonly limiter: RateLimiter

  constructor(
    private readonly facts: PolicyFacts,
    init: { maxRateKeys?: number; now?: () => number } = {},
  ) {
    this.limiter = new RateLimiter(init.maxRateKeys, init.now)
  }

  async admit(req: {
    modelId: string
    modelName: string
    consumer: `0x${string}` | undefined
    /** The request's size (default: nothing, i.e. only a deposit above what is owed). */
    bound?: RequestBound
    /** A use that is not metered (embeddings): refused for a paid model. */
    unmetered?: boolean
  }): Promise<void> {
    const policy = await this.facts.policy(req.modelId)
    if (req.consumer === undefined) {
      if (isOpenAndFree(policy) && policy.requestsPerMinute === 0) return
      throw new ConsumerUnknownError(
        `${req.modelName} is used under its owners' policy, which needs to know who you are: use an API key bound to your address (\`commons key create --address\`) or sign in with Ethereum (POST /api/auth/siwe).`,
      )
    }
    const consumer = req.consumer
    if (!policy.open && !(await this.facts.allowlisted(req.modelId, consumer))) {
      throw new NotAllowlistedError(
        `${consumer} is not on the allowlist of ${req.modelName}; its owners add consumers by proposal (\`commons propose allow --consumer <address>\`).`,
      )
    }
    if (
      policy.termsHash !== ZERO_HASH &&
      (await this.facts.acceptedTerms(req.modelId, consumer)) !== policy.termsHash
    ) {
      throw new TermsNotAcceptedError(
        `Using ${req.modelName} needs its usage terms accepted first: read ${policy.termsURI}, then accept hash ${policy.termsHash} (UsageTerms.accept, or a signed Acceptance relayed by a node).`,
        { details: { termsURI: policy.termsURI, termsHash: policy.termsHash } },
      )
    }
    if (policy.promptPricePer1k > 0n || policy.completionPricePer1k > 0n) {
      if (req.unmetered === true) {
        throw new PaymentRequiredError(
          `${req.modelName} is paid, and only its generations (chat and text completions) are metered: embeddings of a paid model are not offered.`,
        )
      }
      const bound = req.bound ?? { promptBytes: 0, maxTokens: 0 }
      const payable = this.facts.canPay
        ? await this.facts.canPay(req.modelId, consumer, policy, bound)
        : false
      if (!payable) {
        throw new PaymentRequiredError(
          this.facts.canPay
            ? `${req.modelName} is paid (${policy.promptPricePer1k}/${policy.completionPricePer1k} wei per 1k prompt/completion tokens) and ${consumer} cannot pay for this request here: its escrow deposit must cover what it owes plus this request's maximum, and this node must hold a key that signs for it (its own account, or the node authorised with \`commons deposit --authorize <node address>\`).`
            : `${req.modelName} is paid and this node takes no payment yet; use a node that does.`,
        )
      }
    }
    const wait = this.limiter.take(`${req.modelId}:${consumer.toLowerCase()}`, policy.requestsPerMinute)
    if (wait > 0) {
      throw new ConsumerRateLimitedError(
        `${consumer} sent more than ${policy.requestsPerMinute} requests per minute to ${req.modelName}; retry in ${wait} s.`,
        wait,
      )
    }
  }
}
