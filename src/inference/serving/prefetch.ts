/** How `prefetchBatches` groups what it pulled ahead. */
export interface PrefetchOptions<T> {
  /** Most items waiting for the consumer (the source is not pulled further meanwhile). */
  highWaterMark?: number
  /**
   * Least time between two batches (ms; 0: none). An item arriving sooner than this after the last batch
   * waits for it, with what else arrives meanwhile, so a fast source yields one batch per interval
   * instead of one per item; an item after a quiet spell (or the first) goes at once. Never delays the
   * source itself, only the hand-over.
   */
  minIntervalMs?: number
  /** An item that ends the wait at once (e.g. a generation's final chunk). */
  urgent?(item: T): boolean
}

/**
 * Pulls from `source` ahead of the consumer and yields everything buffered at each step, so generating
 * the next token (native, off the JS thread) overlaps with delivering the last ones (JSON, socket
 * writes), and a slow consumer gets several chunks per write. At most `highWaterMark` items wait.
 * When the consumer stops early, the source is closed once its pending step settles (abort its signal
 * to make that immediate).
 */
export async function* prefetchBatches<T>(
  source: AsyncIterable<T>,
  options: PrefetchOptions<T> | number = {},
): AsyncGenerator<T[]> {
  const {
    highWaterMark = 256,
    minIntervalMs = 0,
    urgent,
  } = typeof options === 'number' ? { highWaterMark: options } : options
  const it = source[Symbol.asyncIterator]()
  const buffer: T[] = []
  let done = false
  let failed = false
  let failure: unknown
  let stopped = false
  /** The consumer holds a batch until its interval is over: only an urgent item, the high-water mark or the end wake it. */
  let holding = false
  let hurry = false
  let wakeConsumer: (() => void) | undefined
  let wakePump: (() => void) | undefined
  const notify = (force: boolean): void => {
    if (holding && !force) return
    const wake = wakeConsumer
    wakeConsumer = undefined
    wake?.()
  }
  const pump = (async () => {
    try {
      let step = it.next()
      for (;;) {
        const r = await step
        if (r.done === true || stopped) break
        buffer.push(r.value)
        if (urgent?.(r.value) === true) hurry = true
        if (buffer.length >= highWaterMark) {
          notify(true)
          await new Promise<void>((resolve) => {
            wakePump = resolve
          })
          if (stopped) break
        }
        // Ask for the next item before waking the consumer: the source's next step (a native decode)
        // then starts ahead of the consumer's work (serialising, socket writes) instead of after it.
        step = it.next()
        notify(hurry)
      }
    } catch (err) {
      failed = true
      failure = err
    } finally {
      done = true
      notify(true)
    }
  })()
  let lastBatchAt = Number.NEGATIVE_INFINITY
  try {
    for (;;) {
      if (buffer.length > 0) {
        const wait = hurry || done ? 0 : lastBatchAt + minIntervalMs - performance.now()
        if (wait >= 0.5) {
          holding = true
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, wait)
            wakeConsumer = () => {
              clearTimeout(timer)
              resolve()
            }
          })
          holding = false
          wakeConsumer = undefined
        }
        hurry = false
        const batch = buffer.splice(0)
        const wake = wakePump
        wakePump = undefined
        wake?.()
        lastBatchAt = performance.now()
        yield batch
        continue
      }
      if (failed) throw failure
      if (done) return
      await new Promise<void>((resolve) => {
        wakeConsumer = resolve
      })
    }
  } finally {
    stopped = true
    wakePump?.()
    void pump.then(() => it.return?.()).catch(() => undefined)
  }
}
