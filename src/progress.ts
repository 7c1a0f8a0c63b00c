/**
 * The one shape of a progress event across the node, helia style: `{ type: 'domain:thing:verb', detail }`.
 * Store, training, federated rounds and the node's start-up all emit this shape, so one consumer
 * (CLI progress bar, NDJSON stream, dashboard) reads them all.
 */
export interface ProgressEvent<T extends `${string}:${string}:${string}`, D> {
  type: T
  detail: D
}

/** Receives progress events of a long operation. */
export type OnProgress<E> = (event: E) => void
