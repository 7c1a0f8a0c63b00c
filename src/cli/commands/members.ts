import type { Command } from 'commander'
import { withClient } from '../context.ts'

/** `commons members`: the commons's admission policy, its members, and whether this node is admitted. */
export function registerMembers(program: Command): void {
  program
    .command('members')
    .description("the commons's admission policy and members")
    .action(async (_o, cmd: Command) => {
      await withClient(
        cmd,
        (client, ctx) => client.membership(ctx.account),
        (m) =>
          [
            `Admission policy: ${m.policy}${m.governed ? '' : ' (this deployment has no membership contract)'}`,
            `Members (${m.members.length}):`,
            ...m.members.map((a) => `  ${a}`),
            `${m.address} is ${m.member ? 'a member' : 'not a member'}${m.admitted ? '' : ': other nodes refuse its connections until a vote admits it'}.`,
            ...(m.admitted
              ? []
              : [
                  `A member proposes it with \`commons propose admit-member ${m.address}\`; members then vote.`,
                ]),
          ].join('\n'),
      )
    })
}
