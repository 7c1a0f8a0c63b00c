import type { LocalCommons } from '../node/index.ts'

/** The one screen `npm start` prints: the members, the model, how to ask it and how to vote. */
export function formatLocalCommons(
  c: Pick<LocalCommons, 'members' | 'model' | 'readyMs' | 'chainSocket'> & {
    paid?: LocalCommons['paid']
    memoryBytes: number | undefined
    processes: number
    dataDir: string
  },
): string {
  const ask = c.members.find((m) => !m.serves) ?? c.members[0]!
  const cli = (member: string, args: string) =>
    `npm run commons -- --data ${c.dataDir}/members/${member} ${args}`
  const memory =
    c.memoryBytes === undefined
      ? ''
      : `, ${Math.round(c.memoryBytes / 2 ** 20)} MB in ${c.processes} processes`
  const rows = c.members.map((m) => {
    const role = [
      m.hostsChain ? 'hosts the chain' : '',
      m.serves ? `serves ${c.model.name}` : 'holds a replica',
    ]
      .filter(Boolean)
      .join(', ')
    return `  ${m.name.padEnd(11)} ${m.apiUrl.padEnd(23)} ${m.address}  ${m.share.padStart(3)}  ${role}`
  })
  return [
    '',
    `Model Commons: a local commons of ${c.members.length} members, ready in ${(c.readyMs / 1000).toFixed(1)} s${memory}`,
    '',
    `  ${'member'.padEnd(11)} ${'API'.padEnd(23)} ${'address'.padEnd(42)}  own  role`,
    ...rows,
    '',
    `  model   ${c.model.name}, owned by the members' keys, content ${c.model.contentRoot.slice(0, 16)}…`,
    `  ask it  curl ${ask.apiUrl}/v1/chat/completions -H 'content-type: application/json' \\`,
    `            -d '{"model":"${c.model.name}","messages":[{"role":"user","content":"Hello"}],"max_tokens":16}'`,
    '          (any member answers: one that does not serve the model forwards to one that does)',
    ...paidLines(c.paid, cli),
    `  vote    ${cli('clinic', 'proposals')}`,
    `          ${cli('clinic', 'vote <proposal> for')}`,
    `  status  npm run commons -- --data ${c.dataDir} status     (every member; --data …/members/<member> for one)`,
    `  logs    ${c.dataDir}/members/<member>/node.log     chain: ${c.chainSocket}`,
    '',
    'Stop with Ctrl-C: every member stops. `npm start` again resumes where it stopped.',
    '',
  ].join('\n')
}

const gwei = (wei: string) =>
  `${(Number(BigInt(wei)) / 1e9).toLocaleString('en', { maximumFractionDigits: 3 })} gwei`

/** The value loop in the summary: prices, what was settled, and what each member can claim. */
function paidLines(
  paid: LocalCommons['paid'] | undefined,
  cli: (member: string, args: string) => string,
): string[] {
  if (paid === undefined) return []
  const { prices } = paid
  return [
    `  paid    ${gwei(prices.promptPricePer1k)} / ${gwei(prices.completionPricePer1k)} per 1k prompt / completion tokens, voted by the owners;`,
    "          a keyless loopback /v1 pays from its member's escrow deposit (`commons deposit`), vouchers after each answer",
    ...(paid.requests > 0
      ? [
          `          first start: ${paid.requests} paid requests, ${gwei(paid.settledWei)} settled on chain and split by governance`,
        ]
      : []),
    ...paid.earnings.map(
      (e) =>
        `          ${e.name.padEnd(11)} can claim ${gwei(e.ownerWei)} as owner, ${gwei(e.nodeWei)} for serving; deposit ${gwei(e.depositWei)}`,
    ),
    `  earn    ${cli('university', 'earnings')}     ${cli('university', 'claim owner --model commons-demo')}`,
  ]
}
