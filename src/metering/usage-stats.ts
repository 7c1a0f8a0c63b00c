import type { Channel } from './records.ts'
import { UsageHistory } from './usage-history.ts'

/** Totals of one side of metering for one model. */
export interface UsageTotals {
  requests: number
  promptTokens: number
  completionTokens: number
  /** Wei: earned (served) or spent (consumed). */
  wei: bigint
}

const zero = (): UsageTotals => ({ requests: 0, promptTokens: 0, completionTokens: 0, wei: 0n })

/**
 * What this node served (as a provider) and consumed (as a consumer's gateway), by model id, since it
 * started: for `/api/usage`, `commons usage` and Prometheus. Bounded by the number of models.
 */
export class UsageStats {
  private readonly served = new Map<string, UsageTotals>()
  private readonly spent = new Map<string, UsageTotals>()
  private redeemedWei = 0n
  /** The same figures per minute, for usage over time. */
  readonly history = new UsageHistory()

  servedRequest(
    modelId: bigint | string,
    promptTokens: number,
    completionTokens: number,
    wei: bigint,
    atMs = Date.now(),
  ): void {
    add(this.served, String(modelId), promptTokens, completionTokens, wei)
    this.history.add('served', String(modelId), atMs, promptTokens, completionTokens, wei)
  }

  consumed(
    channel: Channel,
    promptTokens: number,
    completionTokens: number,
    wei: bigint,
    atMs = Date.now(),
  ): void {
    add(this.spent, String(channel.modelId), promptTokens, completionTokens, wei)
    this.history.add('consumed', String(channel.modelId), atMs, promptTokens, completionTokens, wei)
  }

  settled(wei: bigint): void {
    this.redeemedWei += wei
  }

  /** Totals for one model, or for all. */
  totals(modelId?: string): { served: UsageTotals; consumed: UsageTotals; settledWei: bigint } {
    return {
      served: sum(this.served, modelId),
      consumed: sum(this.spent, modelId),
      settledWei: this.redeemedWei,
    }
  }

  /** Prometheus text lines. */
  render(): string[] {
    const lines = [
      '# HELP commons_served_tokens_total Tokens this node generated or evaluated for consumers, by model.',
      '# TYPE commons_served_tokens_total counter',
    ]
    for (const [m, t] of this.served) {
      lines.push(`commons_served_tokens_total{model="${m}",kind="prompt"} ${t.promptTokens}`)
      lines.push(`commons_served_tokens_total{model="${m}",kind="completion"} ${t.completionTokens}`)
    }
    lines.push('# HELP commons_served_requests_total Requests this node served, by model.')
    lines.push('# TYPE commons_served_requests_total counter')
    for (const [m, t] of this.served) lines.push(`commons_served_requests_total{model="${m}"} ${t.requests}`)
    lines.push(
      '# HELP commons_revenue_wei_total Wei this node earned by serving (receipts signed), by model.',
    )
    lines.push('# TYPE commons_revenue_wei_total counter')
    for (const [m, t] of this.served) lines.push(`commons_revenue_wei_total{model="${m}"} ${t.wei}`)
    lines.push('# HELP commons_spend_wei_total Wei this node signed in vouchers for its consumers, by model.')
    lines.push('# TYPE commons_spend_wei_total counter')
    for (const [m, t] of this.spent) lines.push(`commons_spend_wei_total{model="${m}"} ${t.wei}`)
    lines.push('# HELP commons_settled_wei_total Wei this node redeemed from the escrow.')
    lines.push('# TYPE commons_settled_wei_total counter')
    lines.push(`commons_settled_wei_total ${this.redeemedWei}`)
    return lines
  }
}

function add(map: Map<string, UsageTotals>, key: string, p: number, c: number, wei: bigint): void {
  let t = map.get(key)
  if (t === undefined) {
    t = zero()
    map.set(key, t)
  }
  t.requests++
  t.promptTokens += p
  t.completionTokens += c
  t.wei += wei
}

function sum(map: Map<string, UsageTotals>, modelId: string | undefined): UsageTotals {
  const out = zero()
  for (const [m, t] of map) {
    if (modelId !== undefined && m !== modelId) continue
    out.requests += t.requests
    out.promptTokens += t.promptTokens
    out.completionTokens += t.completionTokens
    out.wei += t.wei
  }
  return out
}
