import { getPublishedVersionId, getVersion, listVersions, proposeVersion } from '../chain/index.ts'
import type { GovernanceContext } from './context.ts'
import { versionDto } from './dtos.ts'
import { type AddVersionInput, addVersionInput, parseInput } from './schemas.ts'

/**
 * Records a candidate version (the sender must hold shares); does not publish it. A root that is published
 * returns its published version; a candidate the same account already recorded with the same metadata is
 * reused (a retry). With a version check, content that would not load is refused first. Anyone else's candidate for the root is ignored: candidates reserve nothing, so a holder
 * who recorded the root first with other metadata cannot make this one wait or publish theirs instead.
 */
export async function addVersion(
  c: GovernanceContext,
  input: AddVersionInput,
  /** A card being written meanwhile (its URI, when input has none): awaited only before the URI is needed. */
  pendingCardURI?: Promise<string | undefined>,
) {
  // Settled whatever happens below, so a failed card write never goes unhandled.
  const card = pendingCardURI?.then(
    (uri) => ({ uri }),
    (err: unknown) => ({ err }),
  )
  const p = parseInput(addVersionInput, input)
  const model = await c.directory.ref(p.model)
  const published = await getPublishedVersionId(c.reader, { modelId: model.id, contentRoot: p.contentRoot })
  if (published !== 0n) {
    await card
    return versionDto(await getVersion(c.reader, model.id, published))
  }
  // Refused before anything reaches the chain: a version that does not load would take the model dark.
  await c.versionCheck?.check({ contentRoot: p.contentRoot, format: p.format })
  const writer = await c.writerFor(p.account)
  const sender = writer.wallet.account.address.toLowerCase()
  const written = await card
  if (written !== undefined && 'err' in written) throw written.err
  const cardURI = p.cardURI ?? written?.uri ?? ''
  const own = (await listVersions(c.reader, model.id)).find(
    (v) =>
      v.status === 'proposed' &&
      v.contentRoot.toLowerCase() === p.contentRoot &&
      v.proposer.toLowerCase() === sender &&
      v.format === p.format &&
      v.size === p.size &&
      v.cardURI === cardURI,
  )
  if (own !== undefined) return versionDto(own)
  const id = await proposeVersion(writer, {
    modelId: model.id,
    contentRoot: p.contentRoot,
    format: p.format,
    size: p.size,
    cardURI,
  })
  return versionDto(await getVersion(c.reader, model.id, id))
}
