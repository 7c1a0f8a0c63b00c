/**
 * The policy domain: the usage policy the owners of a model voted (who may use it, at what price, under
 * which terms, how often), enforced at every edge through one gate.
 */
import type { ChainReader } from '../chain/index.ts'
import { ChainPolicyFacts } from './chain-policy-facts.ts'
import { type PolicyFacts, UsageGate } from './usage-gate.ts'

export interface UsagePolicyInit {
  /** How long a policy, allowlist entry or terms acceptance read from chain is trusted (default 2 s). */
  cacheMs?: number
}

export interface UsagePolicyComponents {
  reader: ChainReader
  /** Whether a consumer can pay for a paid model; absent: this node refuses paid models (402). */
  canPay?: PolicyFacts['canPay']
}

/** The gate and the facts behind it (so the node can invalidate them on chain events). */
export interface UsagePolicyService {
  gate: UsageGate
  invalidate(): void
}

export function createUsagePolicy(init: UsagePolicyInit, c: UsagePolicyComponents): UsagePolicyService {
  const facts = new ChainPolicyFacts(c.reader, { ttlMs: init.cacheMs ?? 2_000 })
  const withPayment: PolicyFacts = c.canPay
    ? {
        policy: (m) => facts.policy(m),
        allowlisted: (m, a) => facts.allowlisted(m, a),
        acceptedTerms: (m, a) => facts.acceptedTerms(m, a),
        canPay: c.canPay,
      }
    : facts
  return { gate: new UsageGate(withPayment), invalidate: () => facts.invalidate() }
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
export { isOpenAndFree, type PolicyFacts, UsageGate } from './usage-gate.ts'
