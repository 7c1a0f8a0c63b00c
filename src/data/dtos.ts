import type { DatasetRecord } from '../chain/index.ts'

/** A dataset as the CLI and API show it (JSON-safe). */
export interface DatasetDto {
  id: string
  owner: string
  manifestRoot: string
  licence: string
  consentUri: string
  consentHash: string
  purposes: string[]
  registeredAt: string
  withdrawn: boolean
  withdrawnAt?: string
}

export function datasetDto(d: DatasetRecord): DatasetDto {
  return {
    id: d.id.toString(),
    owner: d.owner,
    manifestRoot: d.manifestRoot,
    licence: d.licence,
    consentUri: d.consentUri,
    consentHash: d.consentHash,
    purposes: d.purposes,
    registeredAt: d.registeredAt.toString(),
    withdrawn: d.withdrawnAt !== 0n,
    withdrawnAt: d.withdrawnAt === 0n ? undefined : d.withdrawnAt.toString(),
  }
}
