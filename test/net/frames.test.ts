import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { z } from 'zod'
import { InvalidInputError } from '../../src/errors.ts'
import type { CommonsHost } from '../../src/net/commons-host.ts'
import {
  closeWithError,
  encodeLength,
  errorFrame,
  FrameReader,
  request,
  writeJson,
  writeRaw,
} from '../../src/net/frames.ts'
import { startHost } from './fixtures.ts'

/** Writes one length-prefixed binary frame (raw bytes, so a test can send a frame that is not JSON). */
function writeFrame(stream: Stream, data: Uint8Array): Promise<void> {
  return writeRaw(stream, new Uint8ArrayList(encodeLength(data.byteLength), data))
}

const PROTOCOL = '/commons/echo-test/1.0.0'
const Req = z.object({ n: z.number().int() })
const Res = z.object({ doubled: z.number().int() })

describe('length-prefixed JSON frames over real streams', () => {
  let server: CommonsHost
  let client: CommonsHost
  let handled = 0
  const serverErrors: string[] = []

  before(async () => {
    server = await startHost('open')
    client = await startHost('open')
    await server.handle(PROTOCOL, async (stream) => {
      const reader = new FrameReader(stream, 1024)
      try {
        for (;;) {
          const req = await reader.readJson(Req)
          handled++
          if (req.n < 0) await writeJson(stream, errorFrame(new InvalidInputError('n must be >= 0')))
          else await writeJson(stream, { doubled: req.n * 2 })
        }
      } catch (err) {
        serverErrors.push((err as Error).name)
        if ((err as Error).name === 'MalformedFrameError') await closeWithError(stream, err)
        else stream.abort(err as Error)
      }
    })
    await client.connect(server.multiaddrs()[0]!)
  })
  after(async () => {
    await client.stop()
    await server.stop()
  })

  async function open(): Promise<{ stream: Stream; reader: FrameReader }> {
    const stream = await client.dial(server.peerId, PROTOCOL)
    return { stream, reader: new FrameReader(stream) }
  }

  it('round-trips several requests on one stream', async () => {
    const { stream, reader } = await open()
    for (let n = 0; n < 5; n++)
      assert.deepEqual(await request(stream, reader, { n }, Res), { doubled: n * 2 })
    await stream.close()
  })

  it('turns a wire error frame into RemoteError with the remote name', async () => {
    const { stream, reader } = await open()
    await assert.rejects(request(stream, reader, { n: -1 }, Res), (err: Error & { remoteName?: string }) => {
      assert.equal(err.name, 'RemoteError')
      assert.equal(err.remoteName, 'InvalidInputError')
      return true
    })
  })

  it('rejects malformed JSON and schema mismatches with MalformedFrameError, server keeps serving', async () => {
    const { stream, reader } = await open()
    await writeFrame(stream, Buffer.from('{not json'))
    await assert.rejects(reader.readJson(Res), (err: Error & { remoteName?: string }) => {
      assert.equal(err.name, 'RemoteError')
      assert.equal(err.remoteName, 'MalformedFrameError')
      return true
    })
    const second = await open()
    await assert.rejects(request(second.stream, second.reader, { n: 'x' }, Res), { name: 'RemoteError' })
    assert.ok(serverErrors.includes('MalformedFrameError'))
    const third = await open()
    assert.deepEqual(await request(third.stream, third.reader, { n: 21 }, Res), { doubled: 42 })
  })

  it('rejects an oversized frame from its length prefix alone, without waiting for the body', async () => {
    const before = handled
    const { stream } = await open()
    // declares 10 MB but sends only the prefix: the server must refuse at once, not buffer
    await writeRaw(stream, encodeLength(10_000_000))
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(serverErrors.at(-1), 'FrameTooLargeError')
    assert.equal(handled, before)
  })

  it('rejects an oversized answer on the client side with FrameTooLargeError', async () => {
    const { stream } = await open()
    const reader = new FrameReader(stream, 4)
    await writeJson(stream, { n: 1000 })
    await assert.rejects(reader.readJson(Res), { name: 'FrameTooLargeError' })
  })

  it('times out a request with RequestTimeoutError and honours AbortSignal', async () => {
    await server.handle('/commons/silent-test/1.0.0', async () => {})
    const stream = await client.dial(server.peerId, '/commons/silent-test/1.0.0')
    const reader = new FrameReader(stream)
    await assert.rejects(request(stream, reader, { n: 1 }, Res, { timeoutMs: 200 }), {
      name: 'RequestTimeoutError',
    })
    const ctl = new AbortController()
    setTimeout(() => ctl.abort(), 100)
    await assert.rejects(request(stream, reader, { n: 1 }, Res, { signal: ctl.signal }), {
      name: 'AbortedError',
    })
  })
})
