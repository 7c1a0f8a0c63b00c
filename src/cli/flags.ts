/**
 * The CLI's spelling of the fields that use cases name in their errors (`details.field`): the domain speaks
 * of `contentRoot`, the CLI of `--root`. Only the CLI knows its flags.
 */
const FLAG_OF_FIELD: Record<string, string> = {
  name: '--name',
  symbol: '--symbol',
  cardURI: '--card-uri',
  owners: '--owners',
  model: '--model',
  contentRoot: '--root',
  size: '--size',
  format: '--format',
  versionId: '--version',
  pricePer1kTokens: '--price',
  promptPricePer1k: '--prompt-price',
  completionPricePer1k: '--completion-price',
  requestsPerMinute: '--rate-limit',
  termsURI: '--terms-uri',
  termsHash: '--terms-file',
  consumer: '--consumer',
  to: '--to',
  shares: '--shares',
  amountEth: '--amount',
  description: '--description',
  reason: '--reason',
  account: '--account',
  'settings.votingDelay': '--voting-delay',
  'settings.votingPeriod': '--voting-period',
  'settings.quorumPercent': '--quorum',
  'settings.timelockDelay': '--timelock-delay',
  'settings.proposalThreshold': '--proposal-threshold',
}

/** The flag that sets a field (`owners.2.shares` -> `--owners`), or undefined when no flag does. */
export function flagOf(field: unknown): string | undefined {
  if (typeof field !== 'string') return undefined
  if (FLAG_OF_FIELD[field] !== undefined) return FLAG_OF_FIELD[field]
  const top = field.split('.')[0] as string
  return FLAG_OF_FIELD[top]
}
