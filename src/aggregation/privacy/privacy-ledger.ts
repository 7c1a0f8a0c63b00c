import { z } from 'zod'
import { DEFAULT_RDP_ORDERS } from '../constants.ts'
import { InvalidPrivacyParamsError, PrivacyBudgetExceededError } from './errors.ts'
import { type GaussianMechanism, mechanismRdp, rdpToEpsilon } from './rdp-accountant.ts'

/** One charge recorded against a member. */
export interface PrivacyCharge extends GaussianMechanism {
  readonly round: number
}

interface MemberAccount {
  rdp: number[]
  charges: PrivacyCharge[]
}

const chargeSchema = z.object({
  round: z.number().int(),
  noiseMultiplier: z.number().positive(),
  sampleRate: z.number().min(0).max(1),
  steps: z.number().int().min(0),
})

/** The JSON form of a ledger; `PrivacyLedger.fromJSON` validates it. */
export const privacyLedgerJsonSchema = z.object({
  version: z.literal(1),
  delta: z.number().gt(0).lt(1),
  defaultBudget: z.number().positive(),
  orders: z.array(z.number().gt(1)).min(1),
  budgets: z.record(z.string(), z.number().positive()),
  members: z.record(
    z.string(),
    z.object({ rdp: z.array(z.number().min(0)), charges: z.array(chargeSchema) }),
  ),
})

/** Serialized ledger. */
export type PrivacyLedgerJson = z.infer<typeof privacyLedgerJsonSchema>

/** Options of a new ledger. */
export interface PrivacyLedgerInit {
  /** The delta of every (epsilon, delta) this ledger reports. */
  readonly delta: number
  /** Epsilon budget of members without their own. */
  readonly defaultBudget: number
  readonly budgets?: Readonly<Record<string, number>>
  readonly orders?: readonly number[]
}

/**
 * Each member's spent privacy: composed RDP per order (RDP composes by addition), converted to epsilon at
 * the ledger's delta. Charging a round is all-or-nothing: if any member would exceed its budget, nothing is
 * recorded and PrivacyBudgetExceededError names them. Pure; persist it with `toJSON`.
 * @example
 * const ledger = new PrivacyLedger({ delta: 1e-5, defaultBudget: 8 })
 * ledger.charge(round, memberIds, { noiseMultiplier: 1.1, sampleRate: 1, steps: 1 })
 */
export class PrivacyLedger {
  readonly delta: number
  readonly defaultBudget: number
  readonly orders: readonly number[]
  readonly #budgets: Map<string, number>
  readonly #members = new Map<string, MemberAccount>()

  constructor(init: PrivacyLedgerInit) {
    if (!(init.delta > 0 && init.delta < 1))
      throw new InvalidPrivacyParamsError(`delta must be in (0, 1), got ${init.delta}.`)
    if (!(init.defaultBudget > 0)) {
      throw new InvalidPrivacyParamsError(`The default budget must be > 0, got ${init.defaultBudget}.`)
    }
    this.delta = init.delta
    this.defaultBudget = init.defaultBudget
    this.orders = [...(init.orders ?? DEFAULT_RDP_ORDERS)]
    this.#budgets = new Map(Object.entries(init.budgets ?? {}))
  }

  /** The member's epsilon budget. */
  budgetOf(memberId: string): number {
    return this.#budgets.get(memberId) ?? this.defaultBudget
  }

  /** Epsilon the member has spent so far (0 if never charged). */
  spentEpsilon(memberId: string): number {
    const acc = this.#members.get(memberId)
    return acc === undefined ? 0 : rdpToEpsilon(acc.rdp, this.delta, this.orders)
  }

  /** Epsilon the member would have spent after `mechanism`, without recording it. */
  epsilonAfter(memberId: string, mechanism: GaussianMechanism): number {
    const step = mechanismRdp(mechanism, this.orders)
    return rdpToEpsilon(this.#rdpAfter(memberId, step), this.delta, this.orders)
  }

  /** Throws PrivacyBudgetExceededError if `mechanism` would take any of `memberIds` over budget. */
  assertCanCharge(memberIds: readonly string[], mechanism: GaussianMechanism): void {
    const step = mechanismRdp(mechanism, this.orders)
    const over: Array<{ memberId: string; spent: number; after: number; budget: number }> = []
    for (const memberId of memberIds) {
      const after = rdpToEpsilon(this.#rdpAfter(memberId, step), this.delta, this.orders)
      const budget = this.budgetOf(memberId)
      if (after > budget) over.push({ memberId, spent: this.spentEpsilon(memberId), after, budget })
    }
    if (over.length > 0) {
      const list = over.map(
        (o) => `${o.memberId} (${o.spent.toFixed(3)} spent, ${o.after.toFixed(3)} after, budget ${o.budget})`,
      )
      throw new PrivacyBudgetExceededError(
        `This round would exceed the privacy budget of ${list.join(', ')} at delta=${this.delta}; leave them out or raise the noise.`,
        { details: { members: over, delta: this.delta } },
      )
    }
  }

  /** Records one round for every member, or nothing if any would exceed its budget. */
  charge(round: number, memberIds: readonly string[], mechanism: GaussianMechanism): void {
    this.assertCanCharge(memberIds, mechanism)
    const step = mechanismRdp(mechanism, this.orders)
    for (const memberId of memberIds) {
      const acc = this.#members.get(memberId) ?? { rdp: this.orders.map(() => 0), charges: [] }
      acc.rdp = this.#rdpAfter(memberId, step)
      acc.charges.push({ round, ...mechanism })
      this.#members.set(memberId, acc)
    }
  }

  /** The charges recorded against a member. */
  chargesOf(memberId: string): readonly PrivacyCharge[] {
    return this.#members.get(memberId)?.charges ?? []
  }

  /** A JSON-safe snapshot. */
  toJSON(): PrivacyLedgerJson {
    const members: PrivacyLedgerJson['members'] = {}
    for (const [id, acc] of [...this.#members].sort(([a], [b]) => (a < b ? -1 : 1))) {
      members[id] = { rdp: [...acc.rdp], charges: acc.charges.map((c) => ({ ...c })) }
    }
    return {
      version: 1,
      delta: this.delta,
      defaultBudget: this.defaultBudget,
      orders: [...this.orders],
      budgets: Object.fromEntries(this.#budgets),
      members,
    }
  }

  /** Restores a ledger from `toJSON` output (validated; throws InvalidPrivacyParamsError if malformed). */
  static fromJSON(json: unknown): PrivacyLedger {
    const parsed = privacyLedgerJsonSchema.safeParse(json)
    if (!parsed.success) {
      throw new InvalidPrivacyParamsError(`The privacy ledger is malformed: ${parsed.error.message}`, {
        cause: parsed.error,
      })
    }
    const j = parsed.data
    const ledger = new PrivacyLedger({
      delta: j.delta,
      defaultBudget: j.defaultBudget,
      budgets: j.budgets,
      orders: j.orders,
    })
    for (const [id, acc] of Object.entries(j.members)) {
      if (acc.rdp.length !== j.orders.length) {
        throw new InvalidPrivacyParamsError(
          `Ledger entry of ${id} has ${acc.rdp.length} RDP values for ${j.orders.length} orders.`,
        )
      }
      ledger.#members.set(id, { rdp: [...acc.rdp], charges: acc.charges.map((c) => ({ ...c })) })
    }
    return ledger
  }

  #rdpAfter(memberId: string, step: readonly number[]): number[] {
    const prev = this.#members.get(memberId)?.rdp
    return step.map((r, i) => r + (prev?.[i] ?? 0))
  }
}
