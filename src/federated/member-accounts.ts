import { computeEpsilon } from '../aggregation/index.ts'
import { PRIVACY_REPORT_DELTA } from './constants.ts'
import type { JobState } from './job-state.ts'

/** One member of a job as the training view shows it: what it contributed and the privacy it spent. */
export interface MemberAccount {
  peerId: string
  address: string
  /** Committed rounds whose aggregate included this member's update. */
  rounds: number
  /** Sum of the contribution amounts committed for it to the TrainingLedger (the job's contribution rule). */
  contribution: string
  /** Epsilon spent at `delta`; null when the job adds no DP noise (no finite bound). */
  epsilon: number | null
}

/** The privacy and contribution accounts of a job's members. */
export interface JobAccounts {
  delta: number
  noiseMultiplier: number
  members: MemberAccount[]
}

/**
 * Each member's recorded contribution and spent epsilon, from the committed rounds this node recorded.
 * Accounting: every round that used a member's clipped update is one Gaussian mechanism on it with the
 * job's noise multiplier (the distributed noise of at least `threshold` survivors sums to z x clipNorm),
 * no subsampling (sample rate 1); RDP composes over those rounds (aggregation's accountant). Pure.
 */
export function memberAccounts(
  state: Pick<JobState, 'spec' | 'history'>,
  delta = PRIVACY_REPORT_DELTA,
): JobAccounts {
  const z = state.spec.privacy.noiseMultiplier
  const members = state.spec.participants.map((m) => {
    let rounds = 0
    let contribution = 0n
    for (const h of state.history) {
      if (h.members.includes(m.peerId)) rounds++
      for (const c of h.contributions) if (c.peerId === m.peerId) contribution += BigInt(c.amount)
    }
    const epsilon =
      z > 0
        ? rounds === 0
          ? 0
          : computeEpsilon({ noiseMultiplier: z, sampleRate: 1, steps: rounds }, delta)
        : null
    return { peerId: m.peerId, address: m.address, rounds, contribution: contribution.toString(), epsilon }
  })
  return { delta, noiseMultiplier: z, members }
}
