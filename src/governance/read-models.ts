import { listModels as listModelsAction, listVersions as listVersionsAction } from '../chain/index.ts'
import type { GovernanceContext } from './context.ts'
import { modelDto, versionDto } from './dtos.ts'

/** Every model of the commons. */
export async function listModels(c: GovernanceContext) {
  return (await listModelsAction(c.reader)).map(modelDto)
}

/** One model with its versions. Throws ModelNotFoundError. */
export async function showModel(c: GovernanceContext, idOrName: string) {
  const model = await c.directory.model(idOrName)
  const versions = await listVersionsAction(c.reader, model.id)
  return { ...modelDto(model), versions: versions.map(versionDto) }
}

/** A model's versions, oldest first. Throws ModelNotFoundError. */
export async function listVersions(c: GovernanceContext, idOrName: string) {
  const model = await c.directory.ref(idOrName)
  return (await listVersionsAction(c.reader, model.id)).map(versionDto)
}
