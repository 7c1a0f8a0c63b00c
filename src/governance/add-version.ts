import { getVersion, getVersionId, proposeVersion } from '../chain/index.ts'
import type { GovernanceContext } from './context.ts'
import { versionDto } from './dtos.ts'
import { type AddVersionInput, addVersionInput, parseInput } from './schemas.ts'

/** Records a candidate version (the sender must hold shares); does not publish it. A known root returns its version. */
export async function addVersion(c: GovernanceContext, input: AddVersionInput) {
  const p = parseInput(addVersionInput, input)
  const model = await c.directory.ref(p.model)
  const existing = await getVersionId(c.reader, { modelId: model.id, contentRoot: p.contentRoot })
  if (existing !== 0n) return versionDto(await getVersion(c.reader, model.id, existing))
  const id = await proposeVersion(await c.writerFor(p.account), {
    modelId: model.id,
    contentRoot: p.contentRoot,
    format: p.format,
    size: p.size,
    cardURI: p.cardURI ?? '',
  })
  return versionDto(await getVersion(c.reader, model.id, id))
}
