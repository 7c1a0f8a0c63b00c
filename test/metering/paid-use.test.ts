import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import OpenAI from 'openai'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { ApiKeyStore } from '../../src/api/index.ts'
import { ModelShares } from '../../src/chain/generated/artifacts.ts'
import {
  authorizeEscrowSigner,
  depositToEscrow,
  getModelContracts,
  readEarnings,
} from '../../src/chain/index.ts'
import { silentLogger } from '../../src/log.ts'
import { priceWei } from '../../src/metering/index.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { dataDirLayout } from '../../src/node/data-dir.ts'
import { createNode } from '../../src/node/index.ts'
import { Keystore } from '../../src/node/keystore.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { until } from '../helpers/until.ts'
import { voteDemoPaid } from './fixtures.ts'

const PROMPT_PRICE = 2_000_000_000n // wei per 1k prompt tokens
const COMPLETION_PRICE = 7_000_000_000n
const MAG = 2n ** 128n

test('paid use end to end: consumers pay through two gateways (one serving, one proxying over libp2p), settlement pays node, owners (mid-epoch sale) and treasury to the wei', async () => {
  await using dirA = await tmpDir()
  await using dirC = await tmpDir()
  const metering = { settleIntervalSeconds: 0 }
  await using a = await createNode(
    { dataDir: dirA.path, config: { api: { port: 0 }, net: { announceIntervalMs: 300 }, metering } },
    { log: silentLogger },
  )
  const devnet = a.devnet!
  const headersOf = async (dir: string) => ({
    authorization: `Bearer ${(await readFile(join(dir, 'api-token'), 'utf8')).trim()}`,
    'content-type': 'application/json',
  })
  const api = async (node: { apiUrl: string }, dir: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${node.apiUrl}${path}`, {
      method,
      headers: await headersOf(dir),
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = (await res.json()) as any
    assert.ok(res.ok, `${path}: ${JSON.stringify(json)}`)
    return json
  }
  // C: a gateway that serves nothing itself; its consumers' requests cross libp2p to A.
  const cKey = await new Keystore({ dir: join(dirC.path, 'accounts') }).create('node')
  await devnet.fund(cKey.address, parseEther('10'))
  const selfA = (await api(a, dirA.path, 'GET', '/api/peers')).self
  await using c = await createNode(
    {
      dataDir: dirC.path,
      config: {
        api: { port: 0 },
        demo: false,
        metering,
        chain: { mode: 'rpc', rpcUrl: a.rpcUrl, deploymentFile: join(dirA.path, 'chain', 'deployment.json') },
        net: { announceIntervalMs: 300, bootstrap: selfA.multiaddrs },
      },
    },
    { log: silentLogger },
  )

  // The owners make the demo model paid.
  await voteDemoPaid(a, { promptPricePer1k: PROMPT_PRICE, completionPricePer1k: COMPLETION_PRICE })

  // Consumers: dave uses gateway C, erin gateway A; each authorises its gateway to sign vouchers.
  const access = createChainAccess({ rpcUrl: a.rpcUrl, deployment: a.deployment })
  const dave = privateKeyToAccount(generatePrivateKey())
  const erin = privateKeyToAccount(generatePrivateKey())
  for (const who of [dave, erin]) await devnet.fund(who.address, parseEther('5'))
  const keyOn = async (dir: string, address: `0x${string}`) =>
    (await new ApiKeyStore({ path: dataDirLayout(dir).apiKeys }).create({ label: 'app', address })).key
  const asDave = new OpenAI({
    baseURL: `${c.apiUrl}/v1`,
    apiKey: await keyOn(dirC.path, dave.address),
    maxRetries: 0,
  })
  const asErin = new OpenAI({
    baseURL: `${a.apiUrl}/v1`,
    apiKey: await keyOn(dirA.path, erin.address),
    maxRetries: 0,
  })
  const ask = (client: OpenAI, content: string) =>
    client.chat.completions.create({
      model: 'commons-demo',
      messages: [{ role: 'user', content }],
      max_tokens: 6,
    })
  await new Promise((r) => setTimeout(r, 2_100)) // the policy cache time

  // No deposit (and no signer): 402, before any work.
  await assert.rejects(ask(asErin, 'hi'), (e: InstanceType<typeof OpenAI.APIError>) => {
    assert.equal(e.status, 402, e.message)
    assert.match(e.message, /escrow deposit/)
    return true
  })
  await depositToEscrow(access.writer(dave), parseEther('1'))
  await authorizeEscrowSigner(access.writer(dave), c.address)
  await depositToEscrow(access.writer(erin), parseEther('1'))
  await authorizeEscrowSigner(access.writer(erin), a.address)
  await new Promise((r) => setTimeout(r, 2_100))

  const cost = (u: { prompt_tokens: number; completion_tokens: number } | undefined) =>
    priceWei(
      { promptPricePer1k: PROMPT_PRICE, completionPricePer1k: COMPLETION_PRICE },
      u!.prompt_tokens,
      u!.completion_tokens,
    )
  let expectedDave = 0n
  let expectedErin = 0n
  const round = async (n: number) => {
    for (let i = 0; i < n; i++) {
      expectedDave += cost((await ask(asDave, `question ${i} from dave`)).usage)
      expectedErin += cost((await ask(asErin, `erin asks ${i}`)).usage)
    }
  }
  await round(2)
  const firstEpoch = expectedDave + expectedErin
  // C delivered dave's vouchers to A over libp2p; A holds exactly what was served.
  await until('vouchers delivered to A', async () => {
    const u = await api(a, dirA.path, 'GET', '/api/usage')
    return BigInt(u.unredeemedWei) === firstEpoch ? u : undefined
  })
  const usageC = await api(c, dirC.path, 'GET', '/api/usage')
  assert.equal(BigInt(usageC.consumed.spendWei), expectedDave)
  assert.equal(usageC.consumed.requests, 2)
  const settled1 = await api(a, dirA.path, 'POST', '/api/usage/settle', {})
  assert.equal(settled1.vouchers, 2) // one channel per consumer-signer
  assert.equal(BigInt(settled1.paidWei), firstEpoch)

  // Mid-epoch sale: alice sells 10 of her 40 shares to bob; revenue that already arrived stays hers.
  const ks = new Keystore({ dir: join(dirA.path, 'accounts') })
  const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => ks.get(n)))
  const { shares, timelock } = await getModelContracts(access.reader, 1n)
  const w = access.writer(alice!)
  await w.public.waitForTransactionReceipt({
    hash: await w.wallet.writeContract({
      address: shares,
      abi: ModelShares.abi,
      functionName: 'transfer',
      args: [bob!.address, parseEther('10')],
      account: alice!,
      chain: w.wallet.chain,
    }),
  })
  const secondStart = expectedDave + expectedErin
  await round(1)
  const secondEpoch = expectedDave + expectedErin - secondStart
  await until('second vouchers delivered', async () => {
    const u = await api(a, dirA.path, 'GET', '/api/usage')
    return BigInt(u.unredeemedWei) === secondEpoch ? u : undefined
  })
  const treasuryBefore = await access.reader.public.getBalance({ address: timelock })
  const settled2 = await api(a, dirA.path, 'POST', '/api/usage/settle', {})
  assert.equal(BigInt(settled2.paidWei), secondEpoch)
  // Settling again finds nothing: a double claim is never sent (and would revert on chain).
  assert.equal((await api(a, dirA.path, 'POST', '/api/usage/settle', {})).vouchers, 0)

  // Every balance to the wei: consumers, the serving node, each owner (pro rata at arrival), the treasury.
  const total = firstEpoch + secondEpoch
  assert.equal((await readEarnings(access.reader, dave.address)).deposit, parseEther('1') - expectedDave)
  assert.equal((await readEarnings(access.reader, erin.address)).deposit, parseEther('1') - expectedErin)
  const split = (x: bigint) => {
    const node = (x * 1000n) / 10000n
    const treasury = (x * 500n) / 10000n
    return { node, treasury, owners: x - node - treasury } // no training job linked: contributors' part to owners
  }
  const [s1, s2] = [split(firstEpoch), split(secondEpoch)]
  assert.equal((await readEarnings(access.reader, a.address)).node, s1.node + s2.node)
  assert.equal((await access.reader.public.getBalance({ address: timelock })) - treasuryBefore, s2.treasury)
  const supply = parseEther('100')
  const m1 = (s1.owners * MAG) / supply
  const m2 = m1 + (s2.owners * MAG) / supply
  const moved = parseEther('10')
  const expectOwner = {
    alice: (m2 * parseEther('30') + m1 * moved) / MAG,
    bob: (m2 * parseEther('45') - m1 * moved) / MAG,
    carol: (m2 * parseEther('25')) / MAG,
  }
  const earnings = await api(a, dirA.path, 'GET', '/api/earnings')
  for (const [name, who] of [
    ['alice', alice],
    ['bob', bob],
    ['carol', carol],
  ] as const) {
    const claimable = (await readEarnings(access.reader, who!.address, { modelIds: [1n] })).owners[0]!
      .claimable
    assert.equal(claimable, expectOwner[name], name)
    const row = earnings.accounts.find((x: any) => x.name === name)
    assert.equal(BigInt(row.owner[0].claimableWei), claimable)
  }
  // Owners and node claim through the API: what they get is what was owed.
  const claimed = await api(a, dirA.path, 'POST', '/api/earnings/claim', {
    account: 'bob',
    kind: 'owner',
    modelId: '1', // as the dashboard's Earnings view sends it (by id, from /api/earnings)
  })
  assert.equal(BigInt(claimed.amountWei), expectOwner.bob)
  assert.equal((await readEarnings(access.reader, bob!.address, { modelIds: [1n] })).owners[0]!.claimable, 0n)
  const node = await api(a, dirA.path, 'POST', '/api/earnings/claim', { account: 'node', kind: 'node' })
  assert.equal(BigInt(node.amountWei), s1.node + s2.node)
  assert.ok(total > 0n)

  // Prometheus shows what was served and earned.
  const metrics = await (await fetch(`${a.apiUrl}/metrics`)).text()
  assert.match(metrics, /commons_revenue_wei_total\{model="1"\} \d+/)
  assert.match(metrics, new RegExp(`commons_settled_wei_total ${total}`))
})
