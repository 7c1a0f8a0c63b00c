import type { z } from 'zod'
import { AbortedError } from '../errors.ts'
import { errorFrame, parseJsonFrame, StreamEndedError } from '../net/index.ts'
import type { FrameChannel } from './frame-channel.ts'

/** In-process queue of JSON frames (one direction). */
class FrameQueue {
  private readonly frames: Uint8Array[] = []
  private waiter: (() => void) | undefined
  closed: Error | undefined

  push(frame: Uint8Array): void {
    this.frames.push(frame)
    this.wake()
  }

  end(err: Error): void {
    this.closed ??= err
    this.wake()
  }

  async shift(signal?: AbortSignal): Promise<Uint8Array> {
    for (;;) {
      const next = this.frames.shift()
      if (next !== undefined) return next
      if (this.closed !== undefined) throw this.closed
      if (signal?.aborted) throw new AbortedError(undefined, { cause: signal.reason })
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve()
        signal?.addEventListener('abort', onAbort, { once: true })
        this.waiter = () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
      })
    }
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = undefined
    w?.()
  }
}

/**
 * Two connected in-process channels: the coordinator's own participant talks to it through these (a node
 * cannot dial itself). Frames are serialized and validated exactly as on the wire.
 */
export function createLocalChannelPair(peerId: string): [FrameChannel, FrameChannel] {
  const ab = new FrameQueue()
  const ba = new FrameQueue()
  const side = (out: FrameQueue, inbox: FrameQueue): FrameChannel => ({
    remotePeerId: peerId,
    async send(value) {
      if (out.closed !== undefined) throw out.closed
      out.push(Buffer.from(JSON.stringify(value), 'utf8'))
    },
    async receive<S extends z.ZodType>(schema: S, options: { signal?: AbortSignal } = {}) {
      return parseJsonFrame(await inbox.shift(options.signal), schema)
    },
    async close() {
      out.end(new StreamEndedError('The local channel was closed.'))
    },
    async reject(err) {
      out.push(Buffer.from(JSON.stringify(errorFrame(err)), 'utf8'))
      out.end(new StreamEndedError('The local channel was closed.'))
    },
    abort(err) {
      out.end(err)
      inbox.end(err)
    },
  })
  return [side(ab, ba), side(ba, ab)]
}
