import {
  DeploymentMissingError,
  listModels as listModelsAction,
  listVersions as listVersionsAction,
  type VersionInfo,
} from '../chain/index.ts'
import type { GovernanceContext } from './context.ts'
import { modelDto, versionDto } from './dtos.ts'
import { versionRelease } from './release.ts'

/** Every model of the commons. */
export async function listModels(c: GovernanceContext) {
  return (await listModelsAction(c.reader)).map(modelDto)
}

/** One model with its versions, each with its model card (when held here) and its attestations. */
export async function showModel(c: GovernanceContext, idOrName: string) {
  const model = await c.directory.model(idOrName)
  const versions = await listVersionsAction(c.reader, model.id)
  return { ...modelDto(model), versions: await Promise.all(versions.map((v) => versionWithRelease(c, v))) }
}

/** A model's versions, oldest first. Throws ModelNotFoundError. */
export async function listVersions(c: GovernanceContext, idOrName: string) {
  const model = await c.directory.ref(idOrName)
  return (await listVersionsAction(c.reader, model.id)).map(versionDto)
}

async function versionWithRelease(c: GovernanceContext, v: VersionInfo) {
  let card = v.cardURI ? await c.cards?.read(v.cardURI) : undefined
  if (card && card.lineage == null && c.lineage) {
    // Read live, so a withdrawal marks the card of every version it touched (a card's bytes never change).
    card = { ...card, lineage: await c.lineage(v.modelId.toString(), v.id.toString()).catch(() => null) }
  }
  // A registry deployed before release policies has no gate: its versions show no release state.
  const release = await versionRelease(c, v.modelId, v.id).catch((err: unknown) => {
    if (err instanceof DeploymentMissingError) return { releasable: undefined, attestations: [] }
    throw err
  })
  return { ...versionDto(v), card, ...release }
}
