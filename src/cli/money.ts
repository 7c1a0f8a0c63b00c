import { formatUnits } from 'viem'

/** The deployment currency as `/api/usage` and `/api/earnings` report it. */
export interface CurrencyView {
  symbol: string
  decimals: number
  token: string | null
}

/** An amount in the currency's smallest unit (a decimal string) shown in whole units: "1.5 TUSD". */
export function money(smallest: string, c: CurrencyView | undefined): string {
  if (c === undefined) return `${smallest} wei`
  return `${formatUnits(BigInt(smallest), c.decimals)} ${c.symbol}`
}
