import { throwIfAborted } from '../../errors.ts'

/*
 * llama.cpp decodes the sequences of one context together when their next evaluations are queued in the
 * same dispatch cycle. A generation that waits for its consumer (SSE write, peer frame) before asking for
 * the next token misses the batch its neighbours are in, and with many streams each batch shrinks: the
 * engine measured 0.5x of llama.cpp's own batched decoding at 16 streams. Reading ahead keeps the next
 * evaluation queued while the consumer handles the current chunk.
 */

/**
 * Iterates `source` up to `depth` items ahead of the consumer. Errors surface in order, after the items
 * before them; once `signal` fires nothing more is yielded (AbortedError), whatever was read ahead; when
 * the consumer stops early the source is closed (after the pull in flight settles).
 * @example
 * for await (const chunk of readAhead(engine.run(request), 2, request.signal)) send(chunk)
 */
export async function* readAhead<T>(
  source: AsyncIterable<T>,
  depth: number,
  signal?: AbortSignal,
): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]()
  const buffer: Array<Promise<IteratorResult<T>>> = []
  let ended = false
  const pull = (): void => {
    if (ended) return
    const next = it.next()
    // Stop pulling after the end or an error; the consumer still sees the error when it gets there.
    next.then(
      (r) => {
        if (r.done) ended = true
      },
      () => {
        ended = true
      },
    )
    buffer.push(next)
  }
  let finished = false
  try {
    pull()
    while (buffer.length > 0) {
      const head = buffer.shift()!
      const result = await head
      if (result.done) {
        finished = true
        return
      }
      throwIfAborted(signal)
      while (!ended && buffer.length < depth) pull()
      yield result.value
    }
    finished = true
  } finally {
    if (!finished) {
      // The consumer stopped early: let pulls in flight settle, then close the source (frees its sequence).
      await Promise.allSettled(buffer)
      await it.return?.()
    }
  }
}
