import type { MessageStream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import type { z } from 'zod'
import { AbortedError, CommonsError } from '../errors.ts'
import { DEFAULT_REQUEST_TIMEOUT_MS, MAX_CONTROL_FRAME_BYTES } from './constants.ts'
import {
  FrameTooLargeError,
  MalformedFrameError,
  RemoteError,
  RequestTimeoutError,
  StreamEndedError,
} from './errors.ts'

// Wire format: every frame is an unsigned LEB128 varint length followed by that many bytes. Control
// frames carry UTF-8 JSON; an error answer is `{ "error": { "name": "...", "message": "..." } }`.

const MAX_VARINT_BYTES = 5

/** Encodes a frame length as an unsigned varint. */
export function encodeLength(length: number): Uint8Array {
  const out: number[] = []
  let n = length
  do {
    let byte = n & 0x7f
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    out.push(byte)
  } while (n > 0)
  return Uint8Array.from(out)
}

/** Reads length-prefixed frames from a libp2p stream, refusing any frame above the limit before buffering it. */
export class FrameReader {
  private readonly buffer = new Uint8ArrayList()
  private ended = false
  private failure: Error | undefined
  private wake: (() => void) | undefined
  private readonly onMessage = (evt: { data: Uint8Array | Uint8ArrayList }): void => {
    this.buffer.append(evt.data)
    // One request in flight per stream means the buffer never needs more than the largest frame;
    // more than that is a peer flooding us.
    if (this.buffer.byteLength > this.maxBufferedBytes) {
      this.fail(
        new FrameTooLargeError(`Peer sent ${this.buffer.byteLength} unread bytes, over the buffer limit.`),
      )
      this.stream.abort(this.failure!)
    }
    this.notify()
  }
  private readonly onEnd = (evt: Event): void => {
    const error = (evt as Event & { error?: Error }).error
    if (error !== undefined) this.fail(error)
    this.ended = true
    this.notify()
  }
  private readonly maxBufferedBytes: number

  constructor(
    private readonly stream: MessageStream,
    private readonly maxFrameBytes = MAX_CONTROL_FRAME_BYTES,
  ) {
    this.maxBufferedBytes = maxFrameBytes + MAX_VARINT_BYTES + 64 * 1024
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('close', this.onEnd)
    stream.addEventListener('remoteCloseWrite', this.onEnd)
    if (stream.readableEnded || stream.status !== 'open') this.ended = true
  }

  /**
   * The next frame as a list of subarrays (no copy), or null when the stream ended cleanly between frames.
   * `maxBytes` lowers the limit for this frame (e.g. the expected size of a chunk).
   */
  async next(options: { signal?: AbortSignal; maxBytes?: number } = {}): Promise<Uint8ArrayList | null> {
    const limit = Math.min(options.maxBytes ?? this.maxFrameBytes, this.maxFrameBytes)
    let length = -1
    let headerBytes = 0
    for (;;) {
      if (this.failure !== undefined) throw this.failure
      if (length < 0) {
        const parsed = this.parseLength()
        if (parsed === 'malformed') {
          throw this.fail(new MalformedFrameError('Frame length prefix is not a valid varint.'))
        }
        if (parsed !== undefined) {
          ;[length, headerBytes] = parsed
          if (length > limit) {
            const err = new FrameTooLargeError(`Frame of ${length} bytes is over the ${limit}-byte limit.`, {
              details: { length, limit },
            })
            this.fail(err)
            this.stream.abort(err)
            throw err
          }
        }
      }
      if (length >= 0 && this.buffer.byteLength >= headerBytes + length) {
        const frame = this.buffer.sublist(headerBytes, headerBytes + length)
        this.buffer.consume(headerBytes + length)
        return frame
      }
      if (this.ended) {
        if (this.buffer.byteLength === 0) return null
        throw new StreamEndedError('The stream ended in the middle of a frame.')
      }
      await this.waitForData(options.signal)
    }
  }

  /** Reads one JSON frame and validates it; an error frame from the remote throws RemoteError. */
  async readJson<S extends z.ZodType>(
    schema: S,
    options: { signal?: AbortSignal; maxBytes?: number } = {},
  ): Promise<z.infer<S>> {
    const frame = await this.next(options)
    if (frame === null) throw new StreamEndedError('The stream ended before an answer arrived.')
    return parseJsonFrame(frame, schema)
  }

  /** Stops listening to the stream. */
  release(): void {
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('close', this.onEnd)
    this.stream.removeEventListener('remoteCloseWrite', this.onEnd)
  }

  private parseLength(): [number, number] | 'malformed' | undefined {
    let value = 0
    let factor = 1
    const available = Math.min(this.buffer.byteLength, MAX_VARINT_BYTES)
    for (let i = 0; i < available; i++) {
      const byte = this.buffer.get(i)
      value += (byte & 0x7f) * factor
      if ((byte & 0x80) === 0) return [value, i + 1]
      factor *= 128
    }
    return available === MAX_VARINT_BYTES ? 'malformed' : undefined
  }

  private fail(err: Error): Error {
    this.failure ??= err
    return this.failure
  }

  private notify(): void {
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private waitForData(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(new AbortedError(undefined, { cause: signal.reason }))
        return
      }
      const onAbort = (): void => {
        this.wake = undefined
        reject(new AbortedError(undefined, { cause: signal?.reason }))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.wake = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
    })
  }
}

/** Decodes a JSON frame, turning an error frame into RemoteError and a schema mismatch into MalformedFrameError. */
export function parseJsonFrame<S extends z.ZodType>(
  frame: Uint8ArrayList | Uint8Array,
  schema: S,
): z.infer<S> {
  let value: unknown
  try {
    const bytes = frame instanceof Uint8Array ? frame : frame.subarray()
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
  } catch (cause) {
    throw new MalformedFrameError('Frame is not valid JSON.', { cause })
  }
  const remote = errorFrameOf(value)
  if (remote !== undefined) throw new RemoteError(remote.name, remote.message)
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    throw new MalformedFrameError(
      `Frame does not match the protocol schema: ${parsed.error.message.slice(0, 300)}`,
    )
  }
  return parsed.data
}

function errorFrameOf(value: unknown): { name: string; message: string } | undefined {
  if (typeof value !== 'object' || value === null || !('error' in value)) return undefined
  const error = (value as { error: unknown }).error
  if (typeof error !== 'object' || error === null) return undefined
  const { name, message } = error as { name?: unknown; message?: unknown }
  if (typeof name !== 'string' || typeof message !== 'string') return undefined
  return { name: name.slice(0, 100), message: message.slice(0, 1000) }
}

/** Encodes a value as a length-prefixed JSON frame. */
export function encodeJsonFrame(value: unknown): Uint8ArrayList {
  const body = Buffer.from(JSON.stringify(value), 'utf8')
  return new Uint8ArrayList(encodeLength(body.byteLength), body)
}

/** The wire error frame for an error: named CommonsErrors keep name and message; others become InternalError. */
export function errorFrame(err: unknown): { error: { name: string; message: string } } {
  if (err instanceof CommonsError) return { error: { name: err.name, message: err.message } }
  return { error: { name: 'InternalError', message: 'The peer failed to handle the request.' } }
}

/** Writes bytes (already framed) to a stream, waiting for the write buffer to drain when needed. */
export async function writeRaw(
  stream: MessageStream,
  data: Uint8Array | Uint8ArrayList,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  if (!stream.send(data)) await stream.onDrain({ signal: options.signal })
}

/** Writes one JSON control frame. */
export async function writeJson(
  stream: MessageStream,
  value: unknown,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await writeRaw(stream, encodeJsonFrame(value), options)
}

/** Combines an optional caller signal with a timeout (AbortSignal.timeout: no timer left behind). */
export function withTimeout(signal: AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs)
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout])
}

/** True when the signal fired because its timeout elapsed. */
function timedOut(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError'
}

/**
 * Sends one JSON request and reads one JSON answer validated by `schema`, within a timeout.
 * @example const res = await request(stream, reader, { type: 'have', root }, HaveAnswer, { timeoutMs: 5000 })
 */
export async function request<S extends z.ZodType>(
  stream: MessageStream,
  reader: FrameReader,
  body: unknown,
  schema: S,
  options: { signal?: AbortSignal; timeoutMs?: number; maxBytes?: number } = {},
): Promise<z.infer<S>> {
  const signal = withTimeout(options.signal, options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
  try {
    await writeJson(stream, body, { signal })
    return await reader.readJson(schema, { signal, maxBytes: options.maxBytes })
  } catch (err) {
    if (timedOut(signal))
      throw new RequestTimeoutError('No answer before the request timed out.', { cause: err })
    throw err
  }
}

/** Answers with a wire error frame, then closes the stream gracefully so the frame is delivered. */
export async function closeWithError(stream: MessageStream, err: unknown): Promise<void> {
  try {
    await writeJson(stream, errorFrame(err), { signal: AbortSignal.timeout(5_000) })
    await stream.close({ signal: AbortSignal.timeout(5_000) })
  } catch (cause) {
    stream.abort(cause instanceof Error ? cause : new Error(String(cause)))
  }
}
