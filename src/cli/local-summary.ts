import type { LocalCommons } from '../node/index.ts'

/** The one screen `npm start` prints: the members, the model, how to ask it and how to vote. */
export function formatLocalCommons(
  c: Pick<LocalCommons, 'members' | 'model' | 'readyMs' | 'chainSocket'> & {
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
    `  vote    ${cli('clinic', 'proposals')}`,
    `          ${cli('clinic', 'vote <proposal> for')}`,
    `  status  npm run commons -- --data ${c.dataDir} status     (every member; --data …/members/<member> for one)`,
    `  logs    ${c.dataDir}/members/<member>/node.log     chain: ${c.chainSocket}`,
    '',
    'Stop with Ctrl-C: every member stops. `npm start` again resumes where it stopped.',
    '',
  ].join('\n')
}
