import assert from 'node:assert/strict'
import { test } from 'node:test'
import OpenAI from 'openai'
import { keccak256, stringToHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { ApiKeyStore } from '../../src/api/index.ts'
import { termsAcceptanceTypedData } from '../../src/chain/index.ts'
import { silentLogger } from '../../src/log.ts'
import { dataDirLayout } from '../../src/node/data-dir.ts'
import { createNode } from '../../src/node/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

const TERMS_V1 = keccak256(stringToHex('Use it kindly. v1'))

test('a policy passed by proposal takes effect on /v1 without restart: allowlist, terms, rate limit; refusals are clear and counted', async () => {
  await using dir = await tmpDir()
  await using node = await createNode(
    { dataDir: dir.path, config: { api: { port: 0 } } },
    { log: silentLogger },
  )
  const devnet = node.devnet!
  const keys = new ApiKeyStore({ path: dataDirLayout(dir.path).apiKeys })
  const dave = privateKeyToAccount(generatePrivateKey())
  const eve = privateKeyToAccount(generatePrivateKey())
  const clientFor = async (label: string, address?: `0x${string}`) =>
    new OpenAI({
      baseURL: `${node.apiUrl}/v1`,
      apiKey: (await keys.create({ label, address })).key,
      maxRetries: 0,
    })
  const [asDave, asEve, asNobody] = [
    await clientFor('dave', dave.address),
    await clientFor('eve', eve.address),
    await clientFor('anonymous app'),
  ]
  const ask = (client: OpenAI) =>
    client.chat.completions.create({
      model: 'commons-demo',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 2,
    })

  // Open and free: anyone with a key, address or not.
  await ask(asNobody)
  await ask(asEve)

  // The owners vote: allowlist only, terms v1, 2 requests a minute; and dave on the allowlist.
  const propose = (body: Record<string, unknown>) =>
    node.governance.propose({ account: 'alice', model: 'commons-demo', ...body } as never)
  const proposals = [
    await propose({
      kind: 'set-policy',
      open: false,
      requestsPerMinute: 2,
      termsURI: 'https://example.org/terms/v1',
      termsHash: TERMS_V1,
    }),
    await propose({ kind: 'set-allowed', consumer: dave.address }),
  ]
  await devnet.warp(301)
  for (const p of proposals) {
    for (const account of ['alice', 'bob'])
      await node.governance.vote({ account, proposal: p.ref, support: 'for' })
  }
  await devnet.warp(3_601)
  for (const p of proposals) await node.governance.queue({ account: 'carol', proposal: p.ref })
  await devnet.warp(601)
  for (const p of proposals) await node.governance.execute({ account: 'carol', proposal: p.ref })
  await new Promise((r) => setTimeout(r, 2_100)) // the policy cache time

  const refused = async (client: OpenAI, status: number, pattern: RegExp) => {
    await assert.rejects(ask(client), (e: InstanceType<typeof OpenAI.APIError>) => {
      assert.equal(e.status, status, e.message)
      assert.match(e.message, pattern)
      return true
    })
  }
  await refused(asNobody, 401, /needs to know who you are/)
  await refused(asEve, 403, /not on the allowlist/)
  await refused(asDave, 403, /usage terms/)

  // dave accepts terms v1 without gas money: he signs an EIP-712 Acceptance and the node relays it.
  const acceptance = termsAcceptanceTypedData({
    chainId: node.deployment.chainId,
    usageTerms: node.deployment.usageTerms!,
    modelId: 1n,
    consumer: dave.address,
    termsHash: TERMS_V1,
    deadline: 2n ** 40n,
  })
  const signature = await dave.signTypedData(acceptance)
  const relay = (apiKey: string) =>
    fetch(`${node.apiUrl}/api/auth/terms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ modelId: '1', termsHash: TERMS_V1, deadline: String(2n ** 40n), signature }),
    })
  // eve cannot pass dave's signature off as her own acceptance: the contract checks the signer.
  const stolen = await relay(asEve.apiKey!)
  assert.equal(stolen.status, 422, await stolen.clone().text())
  assert.match(await stolen.text(), /TermsInvalidSignature/)
  const relayed = await relay(asDave.apiKey!)
  assert.equal(relayed.status, 200, await relayed.clone().text())
  assert.equal((await relay(asDave.apiKey!)).status, 429, 'one relay a minute per consumer and model')
  await new Promise((r) => setTimeout(r, 2_100))
  await ask(asDave)
  await ask(asDave)
  await refused(asDave, 429, /more than 2 requests per minute/)

  const metrics = await (await fetch(`${node.apiUrl}/metrics`)).text()
  for (const reason of ['anonymous', 'not-allowlisted', 'terms-not-accepted', 'rate-limited']) {
    assert.match(
      metrics,
      new RegExp(`commons_policy_refusals_total\\{reason="${reason}",model="commons-demo"\\} 1`),
    )
  }
})
