import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import type { ChainReader, ChainWriter } from '../../src/chain/chain-client.ts'
import { deployContracts } from '../../src/chain/deploy-contracts.ts'
import { EmbeddedChain } from '../../src/chain/embedded-chain.ts'
import { silentLogger } from '../../src/log.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

export interface Devnet extends AsyncDisposable {
  chain: EmbeddedChain
  reader: ChainReader
  deployer: ChainWriter
  accounts: PrivateKeyAccount[]
  as(account: PrivateKeyAccount): ChainWriter
  deployment: ChainReader['deployment']
}

/** A real anvil with the real contracts deployed, plus funded accounts. */
export async function startDevnet(nAccounts = 4): Promise<Devnet> {
  const dir = await tmpDir('commons-chain-')
  const chain = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  const accounts = Array.from({ length: nAccounts + 1 }, () => privateKeyToAccount(generatePrivateKey()))
  for (const a of accounts) await chain.fund(a.address, 10n ** 22n)
  const bootstrap = createChainAccess({
    rpcUrl: chain.rpcUrl,
    deployment: {
      chainId: chain.chainId,
      modelRegistry: '0x0000000000000000000000000000000000000000',
      nodeRegistry: '0x0000000000000000000000000000000000000000',
      implementations: {
        shares: '0x0000000000000000000000000000000000000000',
        timelock: '0x0000000000000000000000000000000000000000',
        governor: '0x0000000000000000000000000000000000000000',
      },
      deployedAtBlock: '0',
    },
  })
  const deployment = await deployContracts(bootstrap.writer(accounts[0]!))
  const access = createChainAccess({ rpcUrl: chain.rpcUrl, deployment })
  return {
    chain,
    reader: access.reader,
    deployer: access.writer(accounts[0]!),
    accounts: accounts.slice(1),
    as: (a) => access.writer(a),
    deployment,
    async [Symbol.asyncDispose]() {
      await chain.kill().catch(() => {})
      await dir[Symbol.asyncDispose]()
    },
  }
}
