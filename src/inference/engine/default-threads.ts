import { availableParallelism } from 'node:os'
import { DEFAULT_MAX_THREADS } from './constants.ts'

/**
 * llama.cpp threads per context when the settings name none: every core but one, at most
 * DEFAULT_MAX_THREADS, at least one. The core left over runs the node's event loop (HTTP, libp2p, the
 * token loop between two decodes); on the 2-core bench machine, 2 threads ran 87-139 tok/s and 1 thread
 * 1,000-1,400 tok/s on the same model (`bench/serving.ts --threads 2|1`): llama.cpp's threads wait for
 * each other and for the core the event loop holds.
 * @example
 * defaultThreads(2) // 1
 */
export function defaultThreads(cores = availableParallelism()): number {
  return Math.max(1, Math.min(DEFAULT_MAX_THREADS, cores - 1))
}
