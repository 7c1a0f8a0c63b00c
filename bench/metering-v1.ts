// Metering bench (c): /v1 streamed tokens/s and time to first token with metering on (a paid model: the
// consumer's deposit check, the attempt journaled, the receipt and voucher signed after the answer) versus
// off (the same node, the same model while it is free). Phases off, on, off, on, ... on one node; each
// phase's figure is the median of its requests.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import OpenAI from 'openai'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { ApiKeyStore } from '../src/api/index.ts'
import { authorizeEscrowSigner, depositToEscrow } from '../src/chain/index.ts'
import { silentLogger } from '../src/log.ts'
import { createChainAccess } from '../src/node/chain-clients.ts'
import { dataDirLayout } from '../src/node/data-dir.ts'
import { createNode } from '../src/node/index.ts'
import { tmpDir } from '../test/helpers/tmp-dir.ts'

const REQUESTS_PER_PHASE = 12
const MAX_TOKENS = 96

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

async function setPolicy(
  node: Awaited<ReturnType<typeof createNode>>,
  paid: boolean,
  round: number,
): Promise<void> {
  const p = await node.governance.propose({
    account: 'alice',
    model: 'commons-demo',
    kind: 'set-policy',
    open: true,
    // Each proposal differs (a Governor refuses the same proposal twice): the rate limit carries the round.
    requestsPerMinute: 100_000 + round,
    promptPricePer1k: paid ? '1000000000' : '0',
    completionPricePer1k: paid ? '3000000000' : '0',
  } as never)
  await node.devnet!.warp(301)
  for (const account of ['alice', 'bob'])
    await node.governance.vote({ account, proposal: p.ref, support: 'for' })
  await node.devnet!.warp(3_601)
  await node.governance.queue({ account: 'carol', proposal: p.ref })
  await node.devnet!.warp(601)
  await node.governance.execute({ account: 'carol', proposal: p.ref })
  await new Promise((r) => setTimeout(r, 2_100)) // the policy cache time
}

/** One phase: sequential streamed requests; tokens/s over the whole stream and TTFT, medians. */
async function phase(client: OpenAI) {
  const rates: number[] = []
  const ttfts: number[] = []
  for (let i = 0; i < REQUESTS_PER_PHASE; i++) {
    const t0 = performance.now()
    let first = 0
    let tokens = 0
    const s = await client.chat.completions.create({
      model: 'commons-demo',
      messages: [{ role: 'user', content: `Tell me about the commons, part ${i}` }],
      max_tokens: MAX_TOKENS,
      temperature: 0,
      seed: 7,
      stream: true,
      stream_options: { include_usage: true },
    })
    for await (const chunk of s) {
      if (first === 0 && chunk.choices[0]?.delta?.content) first = performance.now()
      if (chunk.usage) tokens = chunk.usage.completion_tokens
    }
    const end = performance.now()
    ttfts.push(first - t0)
    rates.push(tokens / ((end - first) / 1000))
  }
  return { tokensPerSecond: median(rates), ttftMs: median(ttfts) }
}

export async function meteringOnOff() {
  await using dir = await tmpDir()
  await using node = await createNode(
    { dataDir: dir.path, config: { api: { port: 0 }, metering: { settleIntervalSeconds: 0 } } },
    { log: silentLogger },
  )
  const consumer = privateKeyToAccount(generatePrivateKey())
  await node.devnet!.fund(consumer.address, parseEther('10'))
  const access = createChainAccess({ rpcUrl: node.rpcUrl, deployment: node.deployment })
  await depositToEscrow(access.writer(consumer), parseEther('5'))
  await authorizeEscrowSigner(access.writer(consumer), node.address)
  const key = (
    await new ApiKeyStore({ path: dataDirLayout(dir.path).apiKeys }).create({
      label: 'b',
      address: consumer.address,
    })
  ).key
  const client = new OpenAI({ baseURL: `${node.apiUrl}/v1`, apiKey: key, maxRetries: 0 })
  await phase(client) // warm-up
  const off: ReturnType<typeof phase> extends Promise<infer T> ? T[] : never = []
  const on: typeof off = []
  for (let round = 0; round < 2; round++) {
    off.push(await phase(client))
    await setPolicy(node, true, round)
    on.push(await phase(client))
    await setPolicy(node, false, round)
  }
  const token = (await readFile(join(dir.path, 'api-token'), 'utf8')).trim()
  const usage = (await fetch(`${node.apiUrl}/api/usage`, {
    headers: { authorization: `Bearer ${token}` },
  }).then((r) => r.json())) as { consumed: { requests: number; spendWei: string } }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  return {
    off: { tokensPerSecond: avg(off.map((x) => x.tokensPerSecond)), ttftMs: avg(off.map((x) => x.ttftMs)) },
    on: { tokensPerSecond: avg(on.map((x) => x.tokensPerSecond)), ttftMs: avg(on.map((x) => x.ttftMs)) },
    meteredRequests: usage.consumed.requests,
    spendWei: usage.consumed.spendWei,
  }
}
