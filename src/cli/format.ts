import type { ModelDto, ProposalDto, VersionDto } from '../governance/index.ts'

/** Human renderings shared by several commands. */
/** A version as `model show` gets it: with its card and attestations when the source has them. */
type ShownVersion = VersionDto & {
  card?: { intendedUse: string; limits: string; ethicsStatement: string } | undefined
  releasable?: boolean
  attestations?: { evaluator: string; evaluation: string; value: string; approved: boolean }[]
}

export function formatModel(m: ModelDto & { versions?: ShownVersion[] }): string {
  const lines = [
    `model ${m.id}  ${m.name}`,
    `  shares     ${m.shares}  (total ${m.totalShares})`,
    `  governor   ${m.governor}`,
    `  timelock   ${m.timelock}  (treasury)`,
    `  policy     ${formatPolicy(m.policy)}`,
    `  governance voting delay ${m.settings.votingDelay}s, period ${m.settings.votingPeriod}s, quorum ${m.settings.quorumPercent}%, timelock ${m.settings.timelockDelay}s`,
    `  latest published version: ${m.latestPublishedVersion === '0' ? 'none' : m.latestPublishedVersion}`,
  ]
  for (const v of m.versions ?? []) {
    lines.push(`  version ${v.id}  ${v.status.padEnd(9)} ${v.format} ${v.size} bytes  ${v.contentRoot}`)
    if (v.cardURI) lines.push(`    card       ${v.cardURI}`)
    if (v.card?.intendedUse) lines.push(`    intended   ${v.card.intendedUse}`)
    if (v.card?.limits) lines.push(`    limits     ${v.card.limits}`)
    if (v.card?.ethicsStatement) lines.push(`    ethics     ${v.card.ethicsStatement.split('\n')[0]}`)
    for (const a of v.attestations ?? [])
      lines.push(
        `    attested   ${a.evaluation} = ${a.value} by ${a.evaluator}${a.approved ? '' : ' (not an approved evaluator: does not count)'}`,
      )
    if (v.releasable !== undefined && v.status === 'proposed')
      lines.push(
        `    release    ${v.releasable ? 'policy met' : 'policy NOT met: a publish proposal cannot execute yet'}`,
      )
  }
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
