import { type ProposalCreated, readProposalsCreated } from './actions/list-proposals.ts'
import type { ChainReader } from './chain-client.ts'

/**
 * What each governor's ProposalCreated events said, cached and extended incrementally: proposals never
 * change what they were created with, so only new blocks are scanned on each lookup.
 */
export class ProposalIndex {
  private readonly byGovernor = new Map<string, { scannedTo: bigint; proposals: ProposalCreated[] }>()
  private readonly scanning = new Map<string, Promise<ProposalCreated[]>>()

  constructor(private readonly reader: ChainReader) {}

  /** A proposal already indexed (what it was created with never changes), without touching the chain. */
  cached(
    model: { governor: `0x${string}` },
    match: (p: ProposalCreated) => boolean,
  ): ProposalCreated | undefined {
    return this.byGovernor.get(model.governor.toLowerCase())?.proposals.find(match)
  }

  /**
   * A proposal of the model: from the index, else after the scan in flight (a burst of lookups for a new
   * proposal waits for one scan instead of queueing one each), else after a scan up to the latest block.
   */
  async find(
    model: { id: bigint; governor: `0x${string}` },
    match: (p: ProposalCreated) => boolean,
  ): Promise<ProposalCreated | undefined> {
    const hit = this.cached(model, match)
    if (hit) return hit
    const running = this.scanning.get(model.governor.toLowerCase())
    if (running) {
      await running.catch(() => {})
      const after = this.cached(model, match)
      if (after) return after
    }
    return (await this.all(model)).find(match)
  }

  /** Every proposal of the model, oldest first, up to the latest block. */
  async all(model: { id: bigint; governor: `0x${string}` }): Promise<ProposalCreated[]> {
    const key = model.governor.toLowerCase()
    // One scan at a time per governor, so concurrent lookups never append the same proposals twice.
    const running = this.scanning.get(key)
    if (running) await running.catch(() => {})
    const scan = this.scan(key, model)
    this.scanning.set(key, scan)
    try {
      return await scan
    } finally {
      if (this.scanning.get(key) === scan) this.scanning.delete(key)
    }
  }

  private async scan(
    key: string,
    model: { id: bigint; governor: `0x${string}` },
  ): Promise<ProposalCreated[]> {
    let entry = this.byGovernor.get(key)
    if (!entry) {
      entry = { scannedTo: BigInt(this.reader.deployment.deployedAtBlock) - 1n, proposals: [] }
      this.byGovernor.set(key, entry)
    }
    const head = await this.reader.public.getBlockNumber({ cacheTime: 0 })
    if (head > entry.scannedTo) {
      const found = await readProposalsCreated(this.reader, model, {
        fromBlock: entry.scannedTo + 1n,
        toBlock: head,
        firstIndex: entry.proposals.length,
      })
      entry.proposals.push(...found)
      entry.scannedTo = head
    }
    return entry.proposals
  }
}
