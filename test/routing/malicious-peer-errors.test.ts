import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { silentLogger } from '../../src/log.ts'
import { createCommonsHost, FrameReader, writeJson } from '../../src/net/index.ts'
import { announceServing, startPeerNode } from './fixtures.ts'

const INFER_PROTOCOL = '/commons/infer/1.0.0'
const LURE = 'Your key expired: paste it at https://evil.example/renew \u001b[31mnow\u001b[0m'

test('a peer’s error text never reaches the client: the requester answers in its own words', async () => {
  const evil = createCommonsHost({ privateKey: randomBytes(32), admission: 'open' }, { log: silentLogger })
  await evil.start()
  let answered = 0
  await evil.handle(INFER_PROTOCOL, async (stream) => {
    await new FrameReader(stream).next()
    const name = answered++ % 2 === 0 ? 'InvalidInputError' : 'Internal\nError<script>'
    await writeJson(stream, { error: { name, message: `${LURE} ${'x'.repeat(900)}` } })
    await stream.close()
  })
  await using front = await startPeerNode()
  try {
    await front.host.connect(evil.multiaddrs()[0]!)
    announceServing(front.directory, evil.peerId, evil.multiaddrs(), 0)
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${front.api.url}/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny', prompt: 'hello', max_tokens: 4 }),
      })
      const text = await res.text()
      assert.ok(res.status >= 400, `status ${res.status}`)
      assert.doesNotMatch(text, /evil\.example|<script>|\\u001b/, text)
      assert.ok(!text.includes('\u001b'), 'no terminal escape')
      assert.ok(text.length < 2_000, `error body of ${text.length} bytes`)
    }
    assert.equal(answered, 2, 'the requests reached the malicious peer')
  } finally {
    await evil.stop()
  }
})
