import { AbortedError, throwIfAborted } from '../../errors.ts'
import { EngineDisposedError } from './errors.ts'

interface Waiter<T> {
  resolve: (item: T) => void
  reject: (err: Error) => void
}

/** A fixed set of items (context sequences) lent out one request at a time; others wait in FIFO order. */
export class SequencePool<T> {
  private readonly free: T[]
  private readonly waiters: Waiter<T>[] = []
  private closed = false

  constructor(items: readonly T[]) {
    this.free = [...items]
  }

  /** Requests waiting for an item. */
  get queued(): number {
    return this.waiters.length
  }

  /** Items currently free. */
  get available(): number {
    return this.free.length
  }

  /** Takes a free item, waiting if none is; rejects with AbortedError when the signal fires while waiting. */
  acquire(signal?: AbortSignal): Promise<T> {
    throwIfAborted(signal)
    if (this.closed) return Promise.reject(new EngineDisposedError('The inference engine has been disposed.'))
    const item = this.free.shift()
    if (item !== undefined) return Promise.resolve(item)
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter)
        if (i !== -1) this.waiters.splice(i, 1)
        reject(
          new AbortedError('The request was aborted while waiting for a free sequence.', {
            cause: signal?.reason,
          }),
        )
      }
      const waiter: Waiter<T> = {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(v)
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort)
          reject(e)
        },
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
  }

  /** Returns an item: hands it to the oldest waiter or puts it back. */
  release(item: T): void {
    const waiter = this.waiters.shift()
    if (waiter !== undefined) waiter.resolve(item)
    else this.free.push(item)
  }

  /** Rejects every waiter; later acquires fail. */
  close(): void {
    this.closed = true
    for (const w of this.waiters.splice(0))
      w.reject(new EngineDisposedError('The inference engine has been disposed.'))
  }
}
