import type {
  AdvertisedKeys,
  EncryptedShare,
  MaskedInput,
  SecureSum,
  SharedKeys,
  UnmaskRequest,
  UnmaskResponse,
} from '../../../src/aggregation/secagg/messages.ts'
import type { NeighbourhoodInit } from '../../../src/aggregation/secagg/neighbourhood.ts'
import { SecureAggregationClient } from '../../../src/aggregation/secagg/secure-aggregation-client.ts'
import { SecureAggregator } from '../../../src/aggregation/secagg/secure-aggregator.ts'

/** Everything the coordinator received in a round, in order; what a transcript audit looks at. */
export type CoordinatorInbox = Array<
  | { kind: 'keys'; msg: AdvertisedKeys }
  | { kind: 'shares'; msg: SharedKeys }
  | { kind: 'masked'; msg: MaskedInput }
  | { kind: 'unmask'; msg: UnmaskResponse }
>

/** Options of an in-process round. */
export interface LocalRoundInit {
  readonly roundId: string
  readonly threshold: number
  /** SecAgg+ sparse neighbourhoods (every member and the coordinator use the same setting). */
  readonly neighbourhood?: NeighbourhoodInit
  /** Members that vanish after advertising keys (before sharing). */
  readonly dropBeforeSharing?: readonly string[]
  /** Members that vanish after sharing keys, before uploading their masked input. */
  readonly dropBeforeUpload?: readonly string[]
  /** Members that upload, then vanish before answering the unmask request. */
  readonly dropBeforeUnmask?: readonly string[]
  /** Receives every message the coordinator gets. */
  readonly inbox?: CoordinatorInbox
  /** Called between phases with the request, for tests that tamper or inspect. */
  readonly onUnmaskRequest?: (request: UnmaskRequest) => void
  /** Replaces a member's unmask response before the coordinator gets it (a cheating survivor). */
  readonly tamperUnmask?: (response: UnmaskResponse) => UnmaskResponse
}

/**
 * Runs one secure-aggregation round with every member in this process: for simulations, benchmarks and
 * tests. The network layer runs the same four phases with the same classes over the wire.
 * @example
 * const { sum } = await runLocalSecureAggregation(new Map([['a', x], ['b', y], ['c', z]]), { roundId: 'r1', threshold: 2 })
 */
export async function runLocalSecureAggregation(
  inputs: ReadonlyMap<string, Uint32Array>,
  init: LocalRoundInit,
): Promise<SecureSum> {
  const vectorLength = inputs.values().next().value?.length ?? 0
  const { roundId, threshold } = init
  const inbox = init.inbox ?? []
  const hood = init.neighbourhood === undefined ? {} : { neighbourhood: init.neighbourhood }
  const clients = [...inputs.keys()].map(
    (memberId) => new SecureAggregationClient({ memberId, roundId, threshold, vectorLength, ...hood }),
  )
  const coordinator = new SecureAggregator({ roundId, threshold, vectorLength, ...hood })
  const gone = new Set<string>()
  for (const c of clients) {
    const msg = c.advertiseKeys()
    inbox.push({ kind: 'keys', msg })
    coordinator.receiveKeys(msg)
  }
  const roster = coordinator.roster()
  for (const id of init.dropBeforeSharing ?? []) gone.add(id)
  for (const c of clients) {
    if (gone.has(c.memberId)) continue
    const msg = await c.shareKeys(roster)
    inbox.push({ kind: 'shares', msg })
    coordinator.receiveShares(msg)
  }
  for (const id of init.dropBeforeUpload ?? []) gone.add(id)
  const routed = new Map<string, EncryptedShare[]>()
  for (const c of clients)
    if (!gone.has(c.memberId)) routed.set(c.memberId, coordinator.sharesFor(c.memberId))
  for (const c of clients) {
    if (gone.has(c.memberId)) continue
    const msg = c.maskInput(inputs.get(c.memberId)!, routed.get(c.memberId)!)
    inbox.push({ kind: 'masked', msg })
    coordinator.receiveMaskedInput(msg)
  }
  for (const id of init.dropBeforeUnmask ?? []) gone.add(id)
  const request = coordinator.unmaskRequest()
  init.onUnmaskRequest?.(request)
  for (const c of clients) {
    if (gone.has(c.memberId)) continue
    const msg = init.tamperUnmask?.(c.unmask(request)) ?? c.unmask(request)
    inbox.push({ kind: 'unmask', msg })
    coordinator.receiveUnmaskResponse(msg)
  }
  return coordinator.finish()
}
