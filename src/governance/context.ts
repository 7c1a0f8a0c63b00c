import type { ChainReader, ChainWriter } from '../chain/index.ts'
import type { ModelDirectory } from './model-directory.ts'

/** What every governance use case works with: chain access and the model directory. */
export interface GovernanceContext {
  reader: ChainReader
  /** A writer that signs as the named local account (or address). */
  writerFor(account: string): Promise<ChainWriter>
  directory: ModelDirectory
}
