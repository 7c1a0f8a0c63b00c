import type { Governance } from '../governance/index.ts'

/** What the CLI asks of Model Commons, whether through a running node's API or straight to the chain. */
export type CommonsClient = Pick<
  Governance,
  | 'createModel'
  | 'listModels'
  | 'showModel'
  | 'listVersions'
  | 'addVersion'
  | 'propose'
  | 'listProposals'
  | 'proposal'
  | 'vote'
  | 'votes'
  | 'queue'
  | 'execute'
  | 'shares'
  | 'delegate'
  | 'listNodes'
  | 'membership'
> & {
  warp(seconds: number): Promise<{ timestamp: string; iso: string }>
  accounts(): Promise<{ name: string; address: string }[]>
  /** How this client reaches the chain, for messages (`node at http://…` or `embedded chain`). */
  readonly via: string
  close(): Promise<void>
}
