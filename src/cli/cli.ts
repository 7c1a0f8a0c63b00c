import { Command } from 'commander'
import { InvalidInputError } from '../errors.ts'
import { registerChainWarp } from './commands/chain-warp.ts'
import { registerClaim } from './commands/claim.ts'
import { registerDataAdd } from './commands/data-add.ts'
import { registerDataList } from './commands/data-list.ts'
import { registerDataShow } from './commands/data-show.ts'
import { registerDataWithdraw } from './commands/data-withdraw.ts'
import { registerDelegate } from './commands/delegate.ts'
import { registerDeploy } from './commands/deploy.ts'
import { registerDeposit } from './commands/deposit.ts'
import { registerEarnings } from './commands/earnings.ts'
import { registerEval } from './commands/eval.ts'
import { registerExecute } from './commands/execute.ts'
import { registerInit } from './commands/init.ts'
import { registerInvite } from './commands/invite.ts'
import { registerJoin } from './commands/join.ts'
import { registerKeyCreate } from './commands/key-create.ts'
import { registerKeyList } from './commands/key-list.ts'
import { registerKeyRevoke } from './commands/key-revoke.ts'
import { registerLineage } from './commands/lineage.ts'
import { registerLocal } from './commands/local.ts'
import { registerMembers } from './commands/members.ts'
import { registerModelCreate } from './commands/model-create.ts'
import { registerModelList } from './commands/model-list.ts'
import { registerModelShow } from './commands/model-show.ts'
import { registerNodes } from './commands/nodes.ts'
import { registerPeers } from './commands/peers.ts'
import { registerProposals } from './commands/proposals.ts'
import { registerPropose } from './commands/propose.ts'
import { registerQueue } from './commands/queue.ts'
import { registerServe } from './commands/serve.ts'
import { registerSettle } from './commands/settle.ts'
import { registerShares } from './commands/shares.ts'
import { registerStatus } from './commands/status.ts'
import { registerStoreAdd } from './commands/store-add.ts'
import { registerStoreFetch } from './commands/store-fetch.ts'
import { registerStoreGc } from './commands/store-gc.ts'
import { registerStoreLs } from './commands/store-ls.ts'
import { registerStorePin } from './commands/store-pin.ts'
import { registerStoreUnpin } from './commands/store-unpin.ts'
import { registerTrainJoin } from './commands/train-join.ts'
import { registerTrainStart } from './commands/train-start.ts'
import { registerTrainStatus } from './commands/train-status.ts'
import { registerUp } from './commands/up.ts'
import { registerUsage } from './commands/usage.ts'
import { registerVote } from './commands/vote.ts'
import { registerWhoami } from './commands/whoami.ts'

/** Builds the `commons` program: global options and every command. */
export function createCli(): Command {
  const program = new Command('commons')
    .description('Model Commons: co-own, govern, train and serve AI models')
    .option('--data <dir>', 'data dir (default: $COMMONS_DATA or ~/.commons)')
    .option('--json', 'machine-readable output')
    .option('--account <name|address>', 'local account that signs (default: node)')
    .option('--passphrase-file <file>', 'file holding the key passphrase (or set COMMONS_PASSPHRASE)')
    .option(
      '--rpc <url>',
      'use an external EVM chain (http(s)://, ws(s)://, or an IPC socket path) instead of the embedded one',
    )
    .option('--deployment <file>', 'contract addresses for --rpc')
    .option('--verbose', 'on an error, print its stack and the chain of causes')
    .option('--log-format <format>', 'pretty (default on a terminal) or json (default when piped)')
    .hook('preAction', (cmd) => {
      const format = cmd.opts<{ logFormat?: string }>().logFormat
      if (format === undefined) return
      if (format !== 'pretty' && format !== 'json') {
        throw new InvalidInputError(`--log-format must be pretty or json, not ${format}.`)
      }
      process.env.COMMONS_LOG_FORMAT = format
    })
    .showHelpAfterError()
  registerInit(program)
  registerUp(program)
  registerInvite(program)
  registerJoin(program)
  registerDeploy(program)
  registerLocal(program)
  registerStatus(program)
  registerWhoami(program)
  const model = program.command('model').description('models: create, list, show')
  registerModelCreate(model)
  registerModelList(model)
  registerModelShow(model)
  registerPropose(program)
  registerVote(program)
  registerQueue(program)
  registerExecute(program)
  registerProposals(program)
  registerShares(program)
  registerDelegate(program)
  registerNodes(program)
  registerMembers(program)
  registerChainWarp(program)
  const store = program
    .command('store')
    .description('content-addressed store: add, fetch, ls, pin, unpin, gc')
  registerStoreAdd(store)
  registerStoreFetch(store)
  registerStoreLs(store)
  registerStorePin(store)
  registerStoreUnpin(store)
  registerStoreGc(store)
  registerPeers(program)
  const key = program.command('key').description('API keys for /v1: create, list, revoke')
  registerKeyCreate(key)
  registerKeyList(key)
  registerKeyRevoke(key)
  registerServe(program)
  registerEval(program)
  const train = program.command('train').description('federated training: start, join, status')
  registerTrainStart(train)
  registerTrainJoin(train)
  registerTrainStatus(train)
  registerDeposit(program)
  registerUsage(program)
  registerEarnings(program)
  registerClaim(program)
  registerSettle(program)
  const data = program
    .command('data')
    .description('datasets offered to the commons: add, list, show, withdraw (the data stays on its node)')
  registerDataAdd(data)
  registerDataList(data)
  registerDataShow(data)
  registerDataWithdraw(data)
  registerLineage(program)
  return program
}
