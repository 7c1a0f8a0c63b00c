import { resolve } from 'node:path'
import type { Command } from 'commander'
import { parseGwei } from 'viem'
import { InvalidInputError } from '../../errors.ts'
import { dataDirLayout, deployToRpc } from '../../node/index.ts'
import { commandContext, print } from '../context.ts'

interface DeployFlags {
  chainId?: string
  confirmations: string
  maxFeeGwei?: string
  priorityFeeGwei?: string
  gasPriceGwei?: string
  paymentToken?: string
}

/** `commons deploy --rpc <url>`: deploy the contracts to an EVM network and write the deployment file. */
export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description(
      'deploy the contracts to the chain at --rpc (signed by --account, default the node key) and write the deployment file (--deployment, default <data>/deployment.json); re-running checks and completes it',
    )
    .option('--chain-id <id>', 'refuse unless the RPC serves this chain id')
    .option('--confirmations <n>', 'blocks to wait on top of each deployment', '1')
    .option('--max-fee-gwei <gwei>', 'EIP-1559 max fee per gas')
    .option('--priority-fee-gwei <gwei>', 'EIP-1559 priority fee (tip) per gas')
    .option('--gas-price-gwei <gwei>', 'legacy gas price (for chains without EIP-1559)')
    .option(
      '--payment-token <address>',
      'the ERC20 (e.g. a stablecoin) every deposit and payout is in; default the native currency',
    )
    .action(async (flags: DeployFlags, cmd: Command) => {
      const ctx = await commandContext(cmd)
      if (!ctx.opts.rpc)
        throw new InvalidInputError('commons deploy needs --rpc <url> of the chain to deploy to.')
      const confirmations = positiveInt(flags.confirmations, '--confirmations')
      const chainId = flags.chainId === undefined ? undefined : positiveInt(flags.chainId, '--chain-id')
      if (flags.gasPriceGwei !== undefined && (flags.maxFeeGwei ?? flags.priorityFeeGwei) !== undefined)
        throw new InvalidInputError(
          'Give either --gas-price-gwei (legacy) or --max-fee-gwei/--priority-fee-gwei (EIP-1559), not both.',
        )
      const fees = {
        ...(flags.maxFeeGwei ? { maxFeePerGas: gwei(flags.maxFeeGwei, '--max-fee-gwei') } : {}),
        ...(flags.priorityFeeGwei
          ? { maxPriorityFeePerGas: gwei(flags.priorityFeeGwei, '--priority-fee-gwei') }
          : {}),
        ...(flags.gasPriceGwei ? { gasPrice: gwei(flags.gasPriceGwei, '--gas-price-gwei') } : {}),
      }
      if (flags.paymentToken !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(flags.paymentToken))
        throw new InvalidInputError(
          `--payment-token must be a token's address (0x + 40 hex digits), not "${flags.paymentToken}".`,
        )
      const layout = dataDirLayout(ctx.dataDir)
      const file = resolve(ctx.opts.deployment ?? layout.deployment)
      const r = await deployToRpc({
        paths: layout,
        passphrase: ctx.passphrase,
        account: ctx.account,
        rpcUrl: ctx.opts.rpc,
        expectedChainId: chainId,
        file,
        confirmations,
        fees,
        paymentToken: flags.paymentToken as `0x${string}` | undefined,
        onProgress: (e) => {
          if (!ctx.opts.json) process.stderr.write(`  ${e.message}\n`)
        },
      })
      print(
        ctx.opts,
        {
          file,
          chainId: r.chainId,
          from: r.from,
          deployed: r.deployed,
          reused: r.reused,
          spentWei: r.spentWei.toString(),
          deployment: r.deployment,
        },
        () =>
          [
            `Deployment on chain ${r.chainId} written to ${file}`,
            `  deployed  ${r.deployed.join(', ') || 'nothing (all contracts were there, code checked)'}`,
            ...(r.reused.length ? [`  checked   ${r.reused.join(', ')}`] : []),
            `  registry  ${r.deployment.modelRegistry}`,
            `  currency  ${r.deployment.paymentToken ?? 'native'}`,
            `Start a node on it: commons up --rpc ${ctx.opts.rpc} --deployment ${file}`,
          ].join('\n'),
      )
    })
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidInputError(`${flag} must be a whole number of at least 1, not "${text}".`)
  return n
}

function gwei(text: string, flag: string): bigint {
  if (!/^\d+(\.\d+)?$/.test(text))
    throw new InvalidInputError(`${flag} must be a number of gwei, not "${text}".`)
  return parseGwei(text)
}
