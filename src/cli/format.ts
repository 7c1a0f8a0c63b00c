import type { ModelDto, ProposalDto, VersionDto } from '../governance/index.ts'

/** Human renderings shared by several commands. */
export function formatModel(m: ModelDto & { versions?: VersionDto[] }): string {
  const lines = [
    `model ${m.id}  ${m.name}`,
    `  shares     ${m.shares}  (total ${m.totalShares})`,
    `  governor   ${m.governor}`,
    `  timelock   ${m.timelock}  (treasury)`,
    `  policy     ${formatPolicy(m.policy)}`,
    `  governance voting delay ${m.settings.votingDelay}s, period ${m.settings.votingPeriod}s, quorum ${m.settings.quorumPercent}%, timelock ${m.settings.timelockDelay}s`,
    `  latest published version: ${m.latestPublishedVersion === '0' ? 'none' : m.latestPublishedVersion}`,
  ]
  for (const v of m.versions ?? [])
    lines.push(`  version ${v.id}  ${v.status.padEnd(9)} ${v.format} ${v.size} bytes  ${v.contentRoot}`)
  return lines.join('\n')
}

export function formatProposal(p: ProposalDto): string {
  const title = p.description.split('\n')[0]
  return [
    `proposal ${p.ref}  ${p.state.toUpperCase()}  ${title}`,
    `  votes  for ${p.votes.for}  against ${p.votes.against}  abstain ${p.votes.abstain}  ${p.constitutional ? '(constitutional: For must exceed half of all shares)' : `(quorum ${p.quorum})`}`,
    `  voting ${iso(p.voteStart)} → ${iso(p.voteEnd)}${p.eta !== '0' ? `; executable after ${iso(p.eta)}` : ''}`,
    `  calls  ${p.actions.join('; ')}`,
    `  id     ${p.id}`,
  ].join('\n')
}

function iso(seconds: string): string {
  return new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z')
}

function formatPolicy(p: ModelDto['policy']): string {
  const price =
    p.promptPricePer1k === '0' && p.completionPricePer1k === '0'
      ? 'free'
      : `${p.promptPricePer1k} / ${p.completionPricePer1k} wei per 1k prompt / completion tokens`
  const rate = p.requestsPerMinute > 0 ? `, ${p.requestsPerMinute} requests/min per consumer` : ''
  const terms = p.termsURI ? `, terms ${p.termsURI} (${p.termsHash.slice(0, 10)}…)` : ''
  return `${p.open ? 'open' : 'allowlist'}, ${price}${rate}${terms}`
}
