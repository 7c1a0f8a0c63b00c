import type { DatasetDto, LineageDto, WithdrawalRemedyDto } from '../data/index.ts'

/** One dataset, human-readable. */
export function formatDataset(d: DatasetDto): string {
  return [
    `dataset ${d.id}  ${d.withdrawn ? 'WITHDRAWN' : 'offered'}  licence ${d.licence}  owner ${d.owner}`,
    `  manifest ${d.manifestRoot}`,
    `  consent ${d.consentUri || '-'} (${d.consentHash})`,
    `  purposes ${d.purposes.join(', ')}`,
  ].join('\n')
}

/** The proposals a withdrawal calls for, as commands the owners can run. */
export function formatRemedy(r: WithdrawalRemedyDto): string {
  if (r.models.length === 0) return `No model version was trained with dataset ${r.datasetId}.`
  return r.models
    .map((m) =>
      [
        `model ${m.modelId}: versions ${m.markedVersions.join(', ')} were trained with dataset ${r.datasetId}.`,
        '  Revoke them (one proposal each):',
        ...m.revoke.map((x) => `    ${x.command}`),
        `  Retrain without it from ${m.lastCleanVersion === undefined ? 'the base model (no clean published version)' : `version ${m.lastCleanVersion} (${m.lastCleanContentRoot})`}:`,
        `    ${m.retrain.command}`,
        `    with the spec's ${Object.entries(m.retrain.specChanges)
          .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
          .join(', ')}`,
      ].join('\n'),
    )
    .join('\n')
}

/** A version's lineage, human-readable; marked versions say which withdrawn datasets they carry. */
export function formatLineage(l: LineageDto): string {
  const lines = [
    `model ${l.modelId} version ${l.versionId}  ${l.status}  ${l.contentRoot}`,
    l.marked
      ? `  MARKED: trained with withdrawn dataset(s) ${l.withdrawnDatasets.join(', ')}`
      : '  not marked',
    `  base version ${l.baseVersionId ?? '-'}  training job ${l.jobId ?? '-'}`,
    `  datasets ${l.datasets.map((d) => `${d.id}${d.withdrawn ? ' (withdrawn)' : ''} ${d.licence}`).join(', ') || '-'}`,
    `  members ${l.members.join(', ') || '-'}`,
  ]
  for (const r of l.rounds) {
    lines.push(
      `  round ${r.round}: ${r.contributions
        .map(
          (x) =>
            `${x.member} ${x.amount}${x.datasets.length ? ` [${x.datasets.map((d) => `${d.id}:${d.amount}`).join(' ')}]` : ''}`,
        )
        .join(', ')}`,
    )
  }
  return lines.join('\n')
}
