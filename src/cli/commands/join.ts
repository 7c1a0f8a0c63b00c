import type { Command } from 'commander'
import { formatEther } from 'viem'
import { type JoinResult, joinCommons } from '../../node/index.ts'
import { commandContext, print } from '../context.ts'

/** `commons join <invite>`: check the invite, the chain and its contracts, set up this data dir, start the node. */
export function registerJoin(program: Command): void {
  program
    .command('join')
    .description('join a commons with an invite from one of its members, then start the node')
    .argument('<invite>', 'the invite `commons invite` printed on a member’s node')
    .option('--no-up', 'only check and write the configuration; start later with `commons up`')
    .option('--host <host>', 'API listen address (passed to up)')
    .option('--port <port>', 'API port (passed to up)')
    .action(async (text: string, o: { up: boolean; host?: string; port?: string }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const joined = await joinCommons({ dataDir: ctx.dataDir, invite: text, passphrase: ctx.passphrase })
      const start = o.up && BigInt(joined.balanceWei) > 0n
      print(ctx.opts, { ...joined, starting: start }, () => describe(joined, start))
      if (!start) return
      const up = cmd.parent?.commands.find((c) => c.name() === 'up')
      const args = [...(o.host ? ['--host', o.host] : []), ...(o.port ? ['--port', o.port] : [])]
      await up?.parseAsync(['--no-demo', ...args], { from: 'user' })
    })
}

function describe(j: JoinResult, starting: boolean): string {
  return [
    `Joined the commons on chain ${j.chainId} at ${j.rpcUrl}, invited by ${j.inviter}.`,
    `  node address  ${j.address}`,
    `  bootstrap     ${j.bootstrap.join(' ')}`,
    j.admitted
      ? `  admission     ${j.policy}: ${j.member ? 'this node is a member' : 'every registered node is admitted'}`
      : `  admission     approved: this node is NOT a member yet. Other nodes refuse its connections until a vote admits it: a member runs \`commons propose admit-member ${j.address}\`, members vote (\`commons vote\`, \`queue\`, \`execute\`), and this node connects on its own once it passes.`,
    BigInt(j.balanceWei) > 0n
      ? `  gas           ${formatEther(BigInt(j.balanceWei))} ETH for registering the node`
      : `  gas           none: the node pays gas to register itself. Ask a member to send some to ${j.address}, then run \`commons up\`.`,
    starting ? 'Starting the node…' : 'Start the node with `commons up`.',
  ].join('\n')
}
