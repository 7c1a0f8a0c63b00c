import assert from 'node:assert/strict'
import { test } from 'node:test'
import { EmbeddedChain } from '../../src/chain/embedded-chain.ts'
import { silentLogger } from '../../src/log.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('a web page cannot drive the embedded chain: no CORS preflight is granted, and a non-JSON body is refused', async () => {
  await using dir = await tmpDir()
  const chain = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  try {
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'anvil_setBalance',
      params: ['0x' + '11'.repeat(20), '0x1'],
    })
    // What a browser does before a cross-origin JSON POST: without an allowing answer, it never sends the call.
    const preflight = await fetch(chain.rpcUrl, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    })
    assert.equal(preflight.headers.get('access-control-allow-origin'), null)
    assert.notEqual(preflight.status, 204)
    // What a page may send without a preflight (a "simple" request): not JSON, so not executed.
    const simple = await fetch(chain.rpcUrl, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain' },
      body: call,
    })
    const answer = (await simple.json()) as { error?: { message: string }; result?: unknown }
    assert.equal(answer.result, undefined)
    assert.match(answer.error?.message ?? '', /Invalid request/)
  } finally {
    await chain.stop()
  }
})
