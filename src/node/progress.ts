import type { OnProgress, ProgressEvent } from '../progress.ts'

/** The steps of a node's start-up, in order (the chain's steps come from openChain). */
export type NodeStartStep =
  | 'node:identity:loaded'
  | 'chain:devnet:starting'
  | 'chain:devnet:shared'
  | 'chain:deployment:stale'
  | 'chain:contracts:deploying'
  | 'net:host:starting'
  | 'net:host:started'
  | 'node:demo:creating'
  | 'node:demo:created'
  | 'api:server:listening'

/** Detail of a start-up step: a line for people, and the values a program may want. */
export interface NodeStartDetail {
  message: string
  peerId?: string
  multiaddrs?: string[]
  apiUrl?: string
  model?: string
}

/** One step of a node's start-up, as `createNode`'s `onProgress` receives it. */
export type NodeProgressEvent = ProgressEvent<NodeStartStep, NodeStartDetail>

/** Emits a start-up step to the caller and the node's debug log. */
export type NodeProgress = (type: NodeStartStep, detail: NodeStartDetail) => void

/** Builds the node's progress emitter over the caller's `onProgress`. */
export function nodeProgress(
  log: { debug(obj: object, msg: string): void },
  onProgress: OnProgress<NodeProgressEvent> | undefined,
): NodeProgress {
  return (type, detail) => {
    log.debug({ type }, detail.message)
    onProgress?.({ type, detail })
  }
}
