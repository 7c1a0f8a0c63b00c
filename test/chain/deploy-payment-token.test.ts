import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { getAddress, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { readPaymentCurrency } from '../../src/chain/actions/read-payment-currency.ts'
import { deploymentSchema } from '../../src/chain/deployment.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { dataDirLayout } from '../../src/node/data-dir.ts'
import { deployToRpc } from '../../src/node/deploy.ts'
import { Keystore } from '../../src/node/keystore.ts'
import { bootstrapAccess } from '../helpers/bootstrap-access.ts'
import { runCli } from '../helpers/cli.ts'
import { startHttpAnvil } from '../helpers/plain-anvil.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { deployStablecoin } from './devnet.ts'

test('commons deploy --payment-token: checked before anything is sent, recorded, bound to the contracts', async () => {
  await using anvil = await startHttpAnvil()
  await using data = await tmpDir('commons-deploy-token-')
  const file = join(data.path, 'deployment.json')
  const deploy = (...extra: string[]) =>
    runCli(data.path, ['--json', '--rpc', anvil.rpcUrl, '--deployment', file, 'deploy', ...extra])
  const bootstrap = (rpcUrl: string) => bootstrapAccess(rpcUrl)
  const funder = privateKeyToAccount(generatePrivateKey())
  await anvil.rpc('anvil_setBalance', [funder.address, `0x${parseEther('10').toString(16)}`])
  const token = await deployStablecoin(bootstrap(anvil.rpcUrl).writer(funder))
  const nodeAddress = (
    await new Keystore({ dir: dataDirLayout(data.path).accounts }).get('node', { create: true })
  ).address
  const direct = (paymentToken: `0x${string}`) =>
    deployToRpc({
      paths: dataDirLayout(data.path),
      account: 'node',
      rpcUrl: anvil.rpcUrl,
      file,
      confirmations: 1,
      fees: {},
      paymentToken,
    })

  // Not an address, or an account without code: refused, nothing sent (a contract without decimals() is
  // refused in test/chain/usage-escrow-token.test.ts).
  const bad = await deploy('--payment-token', 'usdc')
  assert.equal(bad.code, 2, bad.stderr)
  assert.match(bad.stderr, /--payment-token must be a token's address/)
  await assert.rejects(direct(funder.address), { name: 'PaymentTokenInvalidError' })
  assert.equal(await anvil.rpc('eth_getTransactionCount', [nodeAddress, 'latest']), '0x0')

  // A token: the deployment records it and the contracts pay in it.
  await anvil.rpc('anvil_setBalance', [nodeAddress, `0x${parseEther('100').toString(16)}`])
  const ok = await deploy('--payment-token', token)
  assert.equal(ok.code, 0, ok.stderr)
  const deployment = deploymentSchema.parse(JSON.parse(await readFile(file, 'utf8')))
  assert.equal(deployment.paymentToken?.toLowerCase(), token.toLowerCase())
  const reader = createChainAccess({ rpcUrl: anvil.rpcUrl, deployment }).reader
  assert.deepEqual(await readPaymentCurrency(reader), {
    token: getAddress(token),
    symbol: 'TUSD',
    decimals: 6,
  })
  // A deployment file that names another currency than the escrow's is refused.
  const lying = createChainAccess({
    rpcUrl: anvil.rpcUrl,
    deployment: { ...deployment, paymentToken: undefined },
  })
  await assert.rejects(readPaymentCurrency(lying.reader), { name: 'PaymentCurrencyMismatchError' })
  // Re-running with another token fails the code check: the currency is part of the deployed code.
  const other = await deployStablecoin(bootstrap(anvil.rpcUrl).writer(funder))
  await assert.rejects(direct(other), { name: 'DeployedCodeMismatchError' })
})
