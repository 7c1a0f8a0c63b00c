import { z } from 'zod'

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/) as unknown as z.ZodType<`0x${string}`>

/**
 * A dataset to register (shared by HTTP and CLI): where it is on the owner's node (never sent anywhere),
 * its SPDX licence id, its consent terms and the purposes they allow (names or bytes32 ids).
 */
export const addDatasetSchema = z
  .object({
    path: z.string().min(1).max(4096),
    licence: z
      .string()
      .regex(/^[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+-]+)*$/, 'an SPDX licence id, e.g. CC-BY-4.0')
      .max(100),
    consentUri: z.string().max(256).default(''),
    consentHash: hex32,
    purposes: z.array(z.string().min(1).max(100)).min(1).max(32),
  })
  .strict()
export type AddDatasetInput = z.input<typeof addDatasetSchema>

/** `<model>@<version>`: a model id or name and a version id. */
export const versionRefSchema = z.object({
  model: z.string().min(1).max(100),
  version: z.string().regex(/^\d{1,30}$/, 'a version id (a number)'),
})
export type VersionRef = z.infer<typeof versionRefSchema>
