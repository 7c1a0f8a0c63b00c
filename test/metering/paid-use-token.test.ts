import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import OpenAI from 'openai'
import { erc20Abi, getAddress, parseEther, parseUnits } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { ApiKeyStore } from '../../src/api/index.ts'
import {
  deployContracts,
  EmbeddedChain,
  getModelContracts,
  readEarnings,
  writeDeployment,
} from '../../src/chain/index.ts'
import { silentLogger } from '../../src/log.ts'
import { priceWei } from '../../src/metering/index.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { dataDirLayout } from '../../src/node/data-dir.ts'
import { createNode } from '../../src/node/index.ts'
import { Keystore } from '../../src/node/keystore.ts'
import { deployStablecoin } from '../chain/devnet.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { until } from '../helpers/until.ts'
import { voteDemoPaid } from './fixtures.ts'

const usd = (x: string) => parseUnits(x, 6)
const PRICES = { promptPricePer1k: 2_000n, completionPricePer1k: 7_000n } // 1e-6 TUSD per 1k tokens
const MAG = 2n ** 128n

/** A data dir whose embedded chain already holds a deployment paying in the test stablecoin. */
async function tokenDataDir(dir: string): Promise<`0x${string}`> {
  const layout = dataDirLayout(dir)
  const chain = await EmbeddedChain.start({ dir: layout.chain, log: silentLogger })
  try {
    const deployer = privateKeyToAccount(generatePrivateKey())
    await chain.fund(deployer.address, parseEther('100'))
    const zero = '0x0000000000000000000000000000000000000000'
    const boot = createChainAccess({
      rpcUrl: chain.rpcUrl,
      deployment: {
        chainId: chain.chainId,
        modelRegistry: zero,
        nodeRegistry: zero,
        implementations: { shares: zero, timelock: zero, governor: zero },
        deployedAtBlock: '0',
      },
    }).writer(deployer)
    const token = await deployStablecoin(boot)
    await writeDeployment(layout.deployment, await deployContracts(boot, { paymentToken: token }))
    return token
  } finally {
    await chain.stop()
  }
}

test('a stablecoin deployment at node level: deposit through the API (approve + deposit), a paid /v1 request, settlement, owners claim tokens', async () => {
  await using dir = await tmpDir()
  const token = await tokenDataDir(dir.path)
  const dave = await new Keystore({ dir: join(dir.path, 'accounts') }).create('dave')
  await using a = await createNode(
    { dataDir: dir.path, config: { api: { port: 0 }, metering: { settleIntervalSeconds: 0 } } },
    { log: silentLogger },
  )
  assert.equal(a.deployment.paymentToken, token)
  const headers = {
    authorization: `Bearer ${(await readFile(join(dir.path, 'api-token'), 'utf8')).trim()}`,
    'content-type': 'application/json',
  }
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of the API
  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${a.apiUrl}${path}`, { method, headers, body: JSON.stringify(body) })
    const json = await res.json()
    assert.ok(res.ok, `${path}: ${JSON.stringify(json)}`)
    return json
  }
  const access = createChainAccess({ rpcUrl: a.rpcUrl, deployment: a.deployment })
  const balance = (of: `0x${string}`) =>
    access.reader.public.readContract({
      address: token,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [of],
    })
  await voteDemoPaid(a, PRICES)

  // dave (a local account) gets test stablecoins and deposits 2.5 of them through the API.
  const w = access.writer(dave)
  await w.public.waitForTransactionReceipt({
    hash: await w.wallet.writeContract({
      address: token,
      abi: [
        {
          type: 'function',
          name: 'mint',
          stateMutability: 'nonpayable',
          inputs: [{ type: 'address' }, { type: 'uint256' }],
          outputs: [],
        },
      ] as const,
      functionName: 'mint',
      args: [dave.address, usd('3')],
    }),
  })
  const dep = await api('POST', '/api/usage/deposit', {
    account: 'dave',
    amount: '2.5',
    authorize: a.address,
  })
  assert.equal(dep.depositWei, usd('2.5').toString())
  assert.equal(dep.deposit, '2.5')
  assert.deepEqual(dep.currency, { symbol: 'TUSD', decimals: 6, token: getAddress(token) })
  assert.equal(await balance(dave.address), usd('0.5'))
  const tooPrecise = await fetch(`${a.apiUrl}/api/usage/deposit`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ account: 'dave', amount: '0.0000001' }),
  })
  assert.equal(tooPrecise.status, 400, 'more decimals than the token has is refused')

  const key = (
    await new ApiKeyStore({ path: dataDirLayout(dir.path).apiKeys }).create({
      label: 'app',
      address: dave.address,
    })
  ).key
  const client = new OpenAI({ baseURL: `${a.apiUrl}/v1`, apiKey: key, maxRetries: 0 })
  await new Promise((r) => setTimeout(r, 2_100)) // the policy cache time
  let spent = 0n
  for (const content of ['hello', 'pay in tokens']) {
    const r = await client.chat.completions.create({
      model: 'commons-demo',
      messages: [{ role: 'user', content }],
      max_tokens: 6,
    })
    spent += priceWei(PRICES, r.usage!.prompt_tokens, r.usage!.completion_tokens)
  }
  assert.ok(spent > 0n)
  await until(
    'vouchers held',
    async () => BigInt((await api('GET', '/api/usage')).unredeemedWei) === spent || undefined,
  )
  assert.equal(BigInt((await api('POST', '/api/usage/settle', {})).paidWei), spent)

  // The split in tokens: node 10 %, treasury 5 %, owners the rest pro rata 40/35/25 (no training job linked).
  const node = (spent * 1000n) / 10000n
  const treasury = (spent * 500n) / 10000n
  const perShare = ((spent - node - treasury) * MAG) / parseEther('100')
  const { timelock } = await getModelContracts(access.reader, 1n)
  assert.equal(await balance(timelock), treasury)
  assert.equal((await readEarnings(access.reader, dave.address)).deposit, usd('2.5') - spent)
  const earnings = await api('GET', '/api/earnings?account=bob')
  assert.equal(earnings.currency.symbol, 'TUSD')
  const bob = await new Keystore({ dir: join(dir.path, 'accounts') }).get('bob')
  const before = await balance(bob.address)
  const claimed = await api('POST', '/api/earnings/claim', {
    account: 'bob',
    kind: 'owner',
    model: 'commons-demo',
  })
  assert.equal(BigInt(claimed.amountWei), (perShare * parseEther('35')) / MAG)
  assert.equal(await balance(bob.address), before + BigInt(claimed.amountWei))
  const n = await api('POST', '/api/earnings/claim', { account: 'node', kind: 'node' })
  assert.equal(BigInt(n.amountWei), node)
  assert.equal(await balance(a.address), node)
})
