import assert from 'node:assert/strict'
import { test } from 'node:test'
import OpenAI from 'openai'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { createSiweMessage } from 'viem/siwe'
import { startNodeProcess } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('a consumer signs in with Ethereum and the official openai client uses the session token unchanged', async () => {
  await using dir = await tmpDir()
  const node = await startNodeProcess(dir.path)
  try {
    const consumer = privateKeyToAccount(generatePrivateKey())
    const { nonce } = (await (await fetch(`${node.apiUrl}/api/auth/nonce`)).json()) as { nonce: string }
    const host = new URL(node.apiUrl).host
    const message = createSiweMessage({
      address: consumer.address,
      chainId: 31337,
      domain: host,
      nonce,
      uri: node.apiUrl,
      version: '1',
      statement: 'Use the models of this commons.',
    })
    const signIn = (body: unknown) =>
      fetch(`${node.apiUrl}/api/auth/siwe`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const signature = await consumer.signMessage({ message })
    const res = await signIn({ message, signature })
    assert.equal(res.status, 200, await res.clone().text())
    const session = (await res.json()) as { token: string; address: string }
    assert.equal(session.address, consumer.address)
    // Replaying the same signed message is refused: its nonce is spent.
    const replay = await signIn({ message, signature })
    assert.equal(replay.status, 401)
    assert.match(((await replay.json()) as { error: { message: string } }).error.message, /nonce/)

    const client = new OpenAI({ baseURL: `${node.apiUrl}/v1`, apiKey: session.token, maxRetries: 0 })
    const completion = await client.chat.completions.create({
      model: 'commons-demo',
      messages: [{ role: 'user', content: 'hello' }],
      max_tokens: 4,
    })
    assert.ok(completion.choices[0]?.message.content !== undefined)

    await fetch(`${node.apiUrl}/api/auth/signout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.token}` },
    })
    await assert.rejects(client.models.list(), (e: Error) => e instanceof OpenAI.AuthenticationError)
    const forged = new OpenAI({
      baseURL: `${node.apiUrl}/v1`,
      apiKey: `mcs_${'0'.repeat(16)}_${'A'.repeat(43)}`,
      maxRetries: 0,
    })
    await assert.rejects(forged.models.list(), (e: Error) => e instanceof OpenAI.AuthenticationError)
  } finally {
    await node.stop()
  }
})
