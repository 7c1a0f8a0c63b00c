import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import type { Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import type { CommonsHost } from '../../src/net/commons-host.ts'
import { writeRaw } from '../../src/net/frames.ts'
import { startHost } from './fixtures.ts'

// yamux streams send a window update once half the receive window is used (Go's rule), not after every
// data frame; flow control still holds: nothing stalls, with a fast or a slow reader.

const PROTOCOL = '/commons/window-test/1.0.0'
let server: CommonsHost
let client: CommonsHost
/** Window-update frames each inbound stream sent, by the test's stream label. */
const updates = new Map<string, number>()
const received = new Map<string, { bytes: number; sha: string }>()

/** Counts the WindowUpdate frames (type 1) a yamux stream sends. */
function countUpdates(stream: Stream, label: string): void {
  const s = stream as unknown as { sendFrame(h: { type: number }, body?: unknown): boolean }
  const send = s.sendFrame.bind(s)
  updates.set(label, 0)
  s.sendFrame = (h, body) => {
    if (h.type === 1) updates.set(label, updates.get(label)! + 1)
    return send(h, body)
  }
}

/**
 * The receiving side: counts update frames and hashes what arrives until `expected` bytes did (a stall
 * shows as the test's timeout); `slowMs`: pauses the stream that long after each message.
 */
function receive(label: string, slowMs: number, expected: number) {
  return async (stream: Stream): Promise<void> => {
    countUpdates(stream, label)
    const sha = createHash('sha256')
    let bytes = 0
    await new Promise<void>((resolve) => {
      stream.addEventListener('message', (e) => {
        for (const part of e.data instanceof Uint8ArrayList ? e.data : [e.data]) {
          sha.update(part)
          bytes += part.byteLength
        }
        if (bytes >= expected) resolve()
        else if (slowMs > 0) {
          stream.pause()
          setTimeout(() => stream.resume(), slowMs)
        }
      })
    })
    received.set(label, { bytes, sha: sha.digest('hex') })
    await stream.close()
  }
}

before(async () => {
  server = await startHost('open')
  client = await startHost('open')
  for (const [label, slowMs, expected] of [
    ['small', 0, 200 * 120],
    ['bulk', 0, 8 * 1024 * 1024],
    ['slow', 15, 24 * 64 * 1024],
  ] as const) {
    await server.handle(`${PROTOCOL}/${label}`, receive(label, slowMs, expected))
  }
  await client.connect(server.multiaddrs()[0]!)
})

after(async () => {
  await client.stop()
  await server.stop()
})

async function send(label: string, messages: Uint8Array[]): Promise<string> {
  const stream = await client.dial(server.peerId, `${PROTOCOL}/${label}`)
  const sha = createHash('sha256')
  for (const m of messages) {
    sha.update(m)
    await writeRaw(stream, new Uint8ArrayList(m))
  }
  await stream.close()
  return sha.digest('hex')
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

// At most: the first update (it carries the ACK) and one per doubling of the receive window as it grows
// from 256 KiB to YAMUX_MAX_STREAM_WINDOW (16 MiB: 6 doublings).
const BOUND = 8

test('200 small messages cost a bounded number of window updates (upstream yamux sent one per message)', async () => {
  const messages = Array.from({ length: 200 }, () => randomBytes(120))
  const sha = await send('small', messages)
  await until(() => received.has('small'))
  assert.deepEqual(received.get('small'), { bytes: 200 * 120, sha })
  assert.ok(updates.get('small')! <= BOUND, `window updates sent: ${updates.get('small')}`)
})

test('8 MiB in 64 KiB writes arrives whole, with a window update per half window, not per frame', async () => {
  const messages = Array.from({ length: 128 }, () => randomBytes(64 * 1024))
  const sha = await send('bulk', messages)
  await until(() => received.has('bulk'))
  assert.deepEqual(received.get('bulk'), { bytes: 8 * 1024 * 1024, sha })
  const n = updates.get('bulk')!
  assert.ok(n >= 1, 'the sender needed window updates to send more than one window')
  assert.ok(n < 32, `window updates sent: ${n} for 128 data frames`)
})

test('a slow reader (paused 15 ms after each message) gets everything: no stall when updates wait for half a window', async () => {
  const messages = Array.from({ length: 24 }, () => randomBytes(64 * 1024))
  const sha = await send('slow', messages)
  await until(() => received.has('slow'))
  assert.deepEqual(received.get('slow'), { bytes: 24 * 64 * 1024, sha })
})
