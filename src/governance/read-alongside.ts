import {
  type ChainWriter,
  type ProposalCreated,
  type ProposalInfo,
  readProposalStatus,
} from '../chain/index.ts'
import type { GovernanceContext } from './context.ts'

/**
 * A writer whose transaction, once mined successfully, also starts `read` (what the response returns, e.g.
 * the proposal's new state and tallies) while the confirmation hook runs (the embedded chain's journal and
 * its fsync): both only need the transaction mined. `result()` is that read, or a fresh one when the write
 * never got that far. The write is still reported only after the hook, so durability is unchanged.
 */
export function readAlongside<T>(
  writer: ChainWriter,
  read: () => Promise<T>,
): { writer: ChainWriter; result(): Promise<T> } {
  let started: Promise<T> | undefined
  return {
    writer: {
      ...writer,
      onConfirmed: async (receipt) => {
        if (receipt.status === 'success') {
          started = read()
          // Awaited by result(); a failed write (the hook throwing) never asks for it.
          started.catch(() => {})
        }
        await writer.onConfirmed?.(receipt)
      },
    },
    result: () => started ?? read(),
  }
}

/** A proposal's status read after a write of the caller's was mined (shared with concurrent writes to it). */
export function statusAfterWrite(c: GovernanceContext, p: ProposalCreated): Promise<ProposalInfo> {
  const read = () => readProposalStatus(c.reader, p)
  return c.statusReads ? c.statusReads.read(`${p.governor}:${p.id}`, read) : read()
}
