import type { ChainReader, ChainWriter, listShareHolders, ProposalInfo } from '../chain/index.ts'
import type { TtlCache } from '../ttl-cache.ts'
import type { ModelCard } from './model-card.ts'
import type { ModelDirectory } from './model-directory.ts'
import type { SharedReads } from './shared-reads.ts'

/** Checks a version's content before it is proposed: throws when it would not load where it is served. */
export interface VersionCheck {
  check(version: { contentRoot: `0x${string}`; format: string }): Promise<void>
}

/** Where model cards are kept: the content store (a card's URI names its content root). */
export interface CardStore {
  /** Stores the card; returns its URI (`commons:card:<root>`). */
  write(card: ModelCard): Promise<string>
  /** The card a URI names, when this node holds it and it is a valid card. */
  read(uri: string): Promise<ModelCard | undefined>
}

/** What every governance use case works with: chain access and the model directory. */
export interface GovernanceContext {
  reader: ChainReader
  /** A writer that signs as the named local account (or address). */
  writerFor(account: string): Promise<ChainWriter>
  directory: ModelDirectory
  /** When given, a publish proposal is refused for content that fails it. */
  versionCheck?: VersionCheck
  /** When given, versions proposed by content root get a model card, and cards are shown with versions. */
  cards?: CardStore
  /** A version's lineage (datasets, members, rounds, base, withdrawal marks), read live for its card. */
  lineage?: (modelId: string, versionId: string) => Promise<unknown>
  /** Cap tables by token and block: readers at one head share one scan of the token's events. */
  holders?: TtlCache<Awaited<ReturnType<typeof listShareHolders>>>
  /** Proposals' status reads after a write, shared by concurrent writes to one proposal. */
  statusReads?: SharedReads<ProposalInfo>
}
