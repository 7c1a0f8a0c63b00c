/**
 * Pulls from `source` ahead of the consumer and yields everything buffered at each step, so generating
 * the next token (native, off the JS thread) overlaps with delivering the last ones (JSON, socket
 * writes), and a slow consumer gets several chunks per write. At most `highWaterMark` items wait.
 * When the consumer stops early, the source is closed once its pending step settles (abort its signal
 * to make that immediate).
 */
export async function* prefetchBatches<T>(
  source: AsyncIterable<T>,
  highWaterMark = 256,
): AsyncGenerator<T[]> {
  const it = source[Symbol.asyncIterator]()
  const buffer: T[] = []
  let done = false
  let failed = false
  let failure: unknown
  let stopped = false
  let wakeConsumer: (() => void) | undefined
  let wakePump: (() => void) | undefined
  const notify = (): void => {
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
        if (buffer.length >= highWaterMark) {
          notify()
          await new Promise<void>((resolve) => {
            wakePump = resolve
          })
          if (stopped) break
        }
        // Ask for the next item before waking the consumer: the source's next step (a native decode)
        // then starts ahead of the consumer's work (serialising, socket writes) instead of after it.
        step = it.next()
        notify()
      }
    } catch (err) {
      failed = true
      failure = err
    } finally {
      done = true
      notify()
    }
  })()
  try {
    for (;;) {
      if (buffer.length > 0) {
        const batch = buffer.splice(0)
        const wake = wakePump
        wakePump = undefined
        wake?.()
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
