import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import OpenAI from 'openai'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { ApiKeyStore } from '../../src/api/index.ts'
import { authorizeEscrowSigner, depositToEscrow, readEarnings } from '../../src/chain/index.ts'
import { updateServingList } from '../../src/inference/index.ts'
import { silentLogger } from '../../src/log.ts'
import { priceWei } from '../../src/metering/index.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { dataDirLayout } from '../../src/node/data-dir.ts'
import { createNode } from '../../src/node/index.ts'
import { Keystore } from '../../src/node/keystore.ts'
import { type NodeProcess, startNodeProcess } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { until } from '../helpers/until.ts'
import { voteDemoPaid } from './fixtures.ts'

const PRICE = { promptPricePer1k: 3_000_000_000n, completionPricePer1k: 11_000_000_000n }

/** `until`, retrying a probe that throws (a node restarting refuses connections meanwhile). */
const untilOk = <T>(what: string, probe: () => Promise<T | undefined>) =>
  until(what, () => probe().catch(() => undefined))

function kill9(p: NodeProcess): Promise<void> {
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()))
  p.child.kill('SIGKILL')
  return exited
}

/** The JSON lines of a metering journal. */
async function journal(dir: string, name: string): Promise<any[]> {
  const text = await readFile(join(dataDirLayout(dir).usage, name), 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l)]
      } catch {
        return []
      }
    })
}

test('kill -9 of the gateway (mid-stream too) and of the provider between serving and settlement: no receipt lost, nothing charged twice', async () => {
  await using dirA = await tmpDir()
  await using dirP = await tmpDir()
  await using dirG = await tmpDir()
  // A hosts the chain and the demo model's owners; P serves; G is the consumer's gateway.
  await using a = await createNode(
    { dataDir: dirA.path, config: { api: { port: 0 }, net: { announceIntervalMs: 300 } } },
    { log: silentLogger },
  )
  const devnet = a.devnet!
  const token = (await readFile(join(dirA.path, 'api-token'), 'utf8')).trim()
  const apiA = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${a.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    assert.ok(res.ok, `${path}: ${await res.clone().text()}`)
    return res.json() as Promise<any>
  }
  const selfA = (await apiA('GET', '/api/peers')).self
  const member = async (dir: string) => {
    const key = await new Keystore({ dir: join(dir, 'accounts') }).create('node')
    await devnet.fund(key.address, parseEther('10'))
    const config = {
      chain: { mode: 'rpc', rpcUrl: a.rpcUrl, deploymentFile: join(dirA.path, 'chain', 'deployment.json') },
      net: { announceIntervalMs: 300, bootstrap: selfA.multiaddrs },
      inference: { refreshMs: 1_000 },
      metering: { settleIntervalSeconds: 0, claimAfterSeconds: 1 },
      demo: false,
    }
    await writeFile(join(dir, 'config.json'), JSON.stringify(config))
    return key.address
  }
  await member(dirP.path)
  const gAddress = await member(dirG.path)
  await updateServingList(dataDirLayout(dirP.path).servingList, 'commons-demo')

  // The demo model becomes paid.
  await voteDemoPaid(a, PRICE)

  const dave = privateKeyToAccount(generatePrivateKey())
  await devnet.fund(dave.address, parseEther('5'))
  const access = createChainAccess({ rpcUrl: a.rpcUrl, deployment: a.deployment })
  await depositToEscrow(access.writer(dave), parseEther('1'))
  await authorizeEscrowSigner(access.writer(dave), gAddress)
  const apiKey = (
    await new ApiKeyStore({ path: dataDirLayout(dirG.path).apiKeys }).create({
      label: 'app',
      address: dave.address,
    })
  ).key

  let provider = await startNodeProcess(dirP.path)
  let gateway = await startNodeProcess(dirG.path)
  try {
    // P fetched and serves the model; A stops serving it, so every request crosses to P.
    await untilOk('P serves the demo', async () => {
      const r = await fetch(`${provider.apiUrl}/api/peers`).then((x) => x.json() as Promise<any>)
      return r.self
        ? (await apiA('GET', '/api/peers')).peers.some(
            (x: any) => x.serves?.length > 0 && x.peerId !== selfA.peerId,
          ) || undefined
        : undefined
    })
    await apiA('POST', '/api/serving', { model: 'commons-demo', remove: true })
    const client = () => new OpenAI({ baseURL: `${gateway.apiUrl}/v1`, apiKey, maxRetries: 0 })
    const ask = (content: string, max = 8) =>
      client().chat.completions.create({
        model: 'commons-demo',
        messages: [{ role: 'user', content }],
        max_tokens: max,
      })
    let served = 0n
    const gatewaySeesP = () =>
      untilOk('G sees P serving', async () => {
        const t = (await readFile(join(dirG.path, 'api-token'), 'utf8')).trim()
        const r = await fetch(`${gateway.apiUrl}/api/peers`, { headers: { authorization: `Bearer ${t}` } })
        const peers = ((await r.json()) as any).peers as any[]
        return peers.some((x) => x.connected && x.serves?.length > 0) || undefined
      })
    await gatewaySeesP()
    await untilOk('a paid request through G is served by P', async () => (await ask('warm up')) && true)
    for (let i = 0; i < 3; i++) {
      const r = await ask(`question ${i}`)
      served += priceWei(PRICE, r.usage!.prompt_tokens, r.usage!.completion_tokens)
    }
    // kill -9 of the gateway right after serving: its vouchers were journaled before anyone saw them.
    await kill9(gateway)
    gateway = await startNodeProcess(dirG.path)
    await gatewaySeesP()

    // kill -9 of the gateway in the middle of streams: P's receipts for what it sent are claimed later.
    let firstChunk: () => void = () => {}
    const streaming = new Promise<void>((r) => {
      firstChunk = r
    })
    const streams = Array.from({ length: 3 }, async (_, i) => {
      const s = await client().chat.completions.create({
        model: 'commons-demo',
        messages: [{ role: 'user', content: `stream ${i}` }],
        max_tokens: 256,
        stream: true,
      })
      for await (const _chunk of s) firstChunk() // read until the gateway dies
    }).map((p) => p.catch(() => undefined))
    await streaming
    await kill9(gateway)
    await Promise.all(streams)
    gateway = await startNodeProcess(dirG.path)
    await gatewaySeesP()

    // kill -9 of the provider before settlement: what it holds is in its journal.
    await untilOk('P holds no unpaid receipt', async () => {
      const u = await fetch(`${provider.apiUrl}/api/usage`, {
        headers: { authorization: `Bearer ${(await readFile(join(dirP.path, 'api-token'), 'utf8')).trim()}` },
      }).then((x) => x.json() as Promise<any>)
      return u.unpaidReceipts === 0 ? u : undefined
    })
    await kill9(provider)
    provider = await startNodeProcess(dirP.path)
    const tokenP = (await readFile(join(dirP.path, 'api-token'), 'utf8')).trim()
    const settled = await fetch(`${provider.apiUrl}/api/usage/settle`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenP}`, 'content-type': 'application/json' },
      body: '{}',
    }).then((x) => x.json() as Promise<any>)

    // What G signed, P redeemed and dave paid agree to the wei; no request was charged twice.
    const charges = (await journal(dirG.path, 'gateway.jsonl')).filter((r) => r.k === 'charge')
    const ids = charges.map((r) => r.id)
    assert.equal(new Set(ids).size, ids.length, 'a request was charged twice')
    const signedTotal = charges.reduce((s, r) => s + BigInt(r.amount), 0n)
    assert.equal(BigInt(settled.paidWei), signedTotal)
    assert.equal((await readEarnings(access.reader, dave.address)).deposit, parseEther('1') - signedTotal)
    // Every receipt P signed (finished or cut by the gateway's death) was paid by a charge of that id.
    const receipts = (await journal(dirP.path, 'provider.jsonl')).filter((r) => r.k === 'receipt')
    assert.ok(receipts.length >= 4, `receipts: ${receipts.length}`)
    const charged = new Map(charges.map((r) => [r.id, BigInt(r.amount)]))
    for (const r of receipts)
      assert.ok(charged.has(r.receipt.requestId), `receipt ${r.receipt.requestId} unpaid`)
    // The streams cut by the gateway's death were paid on P's claims, for the tokens P had sent.
    assert.ok(
      charges.some((r) => r.claimed === true),
      'no receipt was claimed after the gateway died',
    )
    // The three answered requests are among what was paid.
    assert.ok(signedTotal >= served, `${signedTotal} < ${served}`)
    // A second settlement after restarts finds nothing more to redeem.
    const again = await fetch(`${provider.apiUrl}/api/usage/settle`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenP}`, 'content-type': 'application/json' },
      body: '{}',
    }).then((x) => x.json() as Promise<any>)
    assert.equal(again.vouchers, 0)
  } finally {
    await gateway.stop()
    await provider.stop()
  }
})
