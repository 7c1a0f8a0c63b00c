import type { Stream } from '@libp2p/interface'
import type { z } from 'zod'
import { closeWithError, FrameReader, writeJson } from '../net/index.ts'
import { MAX_FL_FRAME_BYTES } from './constants.ts'

/** One side of a round conversation: JSON frames out, schema-validated frames in. */
export interface FrameChannel {
  /** The PeerId at the other end. */
  readonly remotePeerId: string
  send(value: unknown, options?: { signal?: AbortSignal }): Promise<void>
  receive<S extends z.ZodType>(schema: S, options?: { signal?: AbortSignal }): Promise<z.infer<S>>
  close(): Promise<void>
  /** Answers with a wire error frame (named CommonsErrors keep their name) and closes. */
  reject(err: unknown): Promise<void>
  abort(err: Error): void
}

/** A channel over a libp2p stream with size-bounded, validated frames (src/net/frames.ts). */
export class StreamChannel implements FrameChannel {
  private readonly reader: FrameReader

  constructor(
    private readonly stream: Stream,
    readonly remotePeerId: string,
  ) {
    this.reader = new FrameReader(stream, MAX_FL_FRAME_BYTES)
  }

  async send(value: unknown, options: { signal?: AbortSignal } = {}): Promise<void> {
    await writeJson(this.stream, value, options)
  }

  async receive<S extends z.ZodType>(schema: S, options: { signal?: AbortSignal } = {}): Promise<z.infer<S>> {
    return this.reader.readJson(schema, options)
  }

  async close(): Promise<void> {
    this.reader.release()
    await this.stream
      .close({ signal: AbortSignal.timeout(5_000) })
      .catch(() => this.stream.abort(new Error('close failed')))
  }

  async reject(err: unknown): Promise<void> {
    this.reader.release()
    await closeWithError(this.stream, err)
  }

  abort(err: Error): void {
    this.reader.release()
    this.stream.abort(err)
  }
}
