import { isAddress, parseEther } from 'viem'
import { z } from 'zod'
import { GOVERNANCE_MINIMUMS } from '../chain/index.ts'
import { InvalidInputError } from '../errors.ts'
import {
  MAX_DESCRIPTION_CHARS,
  MAX_MODEL_NAME_BYTES,
  MAX_OWNERS,
  MAX_REASON_CHARS,
  MAX_RELEASE_REQUIREMENTS,
  MAX_URI_CHARS,
} from './constants.ts'
import { evaluationName, fixedPoint, releaseRequirement } from './release-schemas.ts'

// The one validation of every governance input. HTTP bodies and CLI options are both this shape (JSON-safe:
// a number or a decimal string where a number is meant, since JSON carries no bigints); the use cases parse
// them with these schemas, so both surfaces get the same checks and the same messages, in the domain's words.

/** A whole number ≥ 0, as a JSON number or a decimal string (for values past 2^53, e.g. wei). */
const wholeNumber = (what: string) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const s = String(v).trim()
    if (!/^\d+$/.test(s)) {
      ctx.addIssue({ code: 'custom', message: `${what} must be a whole number, not "${v}"` })
      return z.NEVER
    }
    return BigInt(s)
  })

/** A whole number ≥ 1. */
const positiveWhole = (what: string) =>
  wholeNumber(what).refine((v) => v > 0n, { message: `${what} must be greater than zero` })

/** A decimal amount with up to 18 decimals (shares, ether), > 0, in its smallest unit. */
const amount = (what: string) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const s = String(v).trim()
    if (!/^\d+(\.\d{1,18})?$/.test(s)) {
      ctx.addIssue({
        code: 'custom',
        message: `${what} must be a positive number (e.g. 40 or 12.5), not "${v}"`,
      })
      return z.NEVER
    }
    if (parseEther(s) === 0n) {
      ctx.addIssue({ code: 'custom', message: `${what} must be greater than zero, not "${v}"` })
      return z.NEVER
    }
    return parseEther(s)
  })

/** An address, or the name of a local account that the node resolves to its address. */
const party = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `name the ${what}: an address or a local account`)
    .refine((v) => !/^0x/i.test(v) || isAddress(v, { strict: false }), {
      message: `the ${what} is not a valid address (0x followed by 40 hex digits)`,
    })

const account = z.string().trim().min(1).default('node')
const modelRef = z
  .union([z.number().int().positive(), z.string().trim().min(1, 'name the model (its id or name)')])
  .transform(String)
const proposalRef = z
  .union([z.number().int().positive(), z.string().trim()])
  .transform(String)
  .refine((v) => /^\d+(\.\d+)?$/.test(v), {
    message: 'a proposal is named by its reference (e.g. 1.2, as `proposals` lists) or its full id',
  })
const contentRoot = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const hex = v.startsWith('0x') ? v.slice(2) : v
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${v}" is not a content root: expected 64 hex digits (a sha256), as the store prints`,
      })
      return z.NEVER
    }
    return `0x${hex.toLowerCase()}` as `0x${string}`
  })
const format = z
  .string()
  .regex(/^[a-z0-9._-]{1,32}$/i, 'a weights format is 1 to 32 letters, digits, dots or dashes (e.g. gguf)')
const uri = z.string().max(MAX_URI_CHARS, `a URI is at most ${MAX_URI_CHARS} characters`)

/** Governance settings of a new model; each optional (defaults: DEFAULT_GOVERNANCE; floors: GOVERNANCE_MINIMUMS). */
const settings = z
  .object({
    votingDelay: wholeNumber('the voting delay (seconds)')
      .refine((v) => v >= BigInt(GOVERNANCE_MINIMUMS.votingDelay), {
        message: `the voting delay must be at least ${GOVERNANCE_MINIMUMS.votingDelay} seconds, so every holder sees a proposal before its vote snapshot`,
      })
      .refine((v) => v < 2n ** 48n, 'the voting delay is too large'),
    votingPeriod: wholeNumber('the voting period (seconds)')
      .refine((v) => v >= BigInt(GOVERNANCE_MINIMUMS.votingPeriod), {
        message: `the voting period must be at least ${GOVERNANCE_MINIMUMS.votingPeriod} seconds, so every holder has time to vote`,
      })
      .refine((v) => v < 2n ** 32n, 'the voting period is too large'),
    proposalThreshold: wholeNumber('the proposal threshold (shares)'),
    quorumPercent: wholeNumber('the quorum').refine(
      (v) => v >= 1n && v <= 100n,
      'the quorum is a percentage between 1 and 100',
    ),
    timelockDelay: wholeNumber('the timelock delay (seconds)').refine(
      (v) => v >= BigInt(GOVERNANCE_MINIMUMS.timelockDelay),
      {
        message: `the timelock delay must be at least ${GOVERNANCE_MINIMUMS.timelockDelay} seconds, so holders can react before a passed proposal runs`,
      },
    ),
  })
  .partial()
  .strict()

/** Create a co-owned model: shares to each owner, its governor and timelock, in one transaction. */
export const createModelInput = z
  .object({
    account,
    name: z
      .string()
      .trim()
      .refine((v) => v.length > 0 && Buffer.byteLength(v) <= MAX_MODEL_NAME_BYTES, {
        message: `a model name is 1 to ${MAX_MODEL_NAME_BYTES} bytes`,
      }),
    symbol: z.string().trim().min(1).max(16, 'a share symbol is at most 16 characters').optional(),
    cardURI: uri.optional(),
    owners: z
      .array(z.object({ owner: party('owner'), shares: amount('the shares of an owner') }).strict())
      .min(1, 'a model needs at least one owner with shares')
      .max(MAX_OWNERS, `a model has at most ${MAX_OWNERS} initial owners`)
      .refine((o) => new Set(o.map((x) => x.owner.toLowerCase())).size === o.length, {
        message: 'an owner is listed twice',
      }),
    settings: settings.optional(),
  })
  .strict()

/** Record a candidate version of a model (the sender must hold shares); governance publishes it. */
export const addVersionInput = z
  .object({
    account,
    model: modelRef,
    contentRoot,
    format: format.default('gguf'),
    size: positiveWhole('the size (bytes)'),
    cardURI: uri.optional(),
  })
  .strict()

const proposalBase = {
  account,
  model: modelRef,
  description: z
    .string()
    .max(MAX_DESCRIPTION_CHARS, `a description is at most ${MAX_DESCRIPTION_CHARS} characters`)
    .optional(),
}

/** What the owners say of a version in its model card (the rest is filled in from chain and store). */
export const modelCardFields = z
  .object({
    intendedUse: z.string().max(4_000).optional(),
    limits: z.string().max(4_000).optional(),
    ethicsStatement: z.string().max(8_000).optional(),
  })
  .strict()

/** What a proposal does, as people and the API ask for it. */
export const proposeInput = z.discriminatedUnion('kind', [
  z
    .object({
      ...proposalBase,
      kind: z.literal('publish-version'),
      versionId: positiveWhole('the version').optional(),
      contentRoot: contentRoot.optional(),
      format: format.optional(),
      size: positiveWhole('the size (bytes)').optional(),
      cardURI: uri.optional(),
      /** With a content root and no cardURI: the model card written for the version (content-addressed). */
      card: modelCardFields.optional(),
    })
    .strict()
    .refine((p) => p.versionId !== undefined || (p.contentRoot !== undefined && p.size !== undefined), {
      message: 'name the version to publish: a recorded version id, or a content root and its size in bytes',
      path: ['versionId'],
    }),
  z
    .object({ ...proposalBase, kind: z.literal('revoke-version'), versionId: positiveWhole('the version') })
    .strict(),
  z
    .object({
      ...proposalBase,
      kind: z.literal('set-policy'),
      /** Price per 1000 tokens (wei), prompt and completion alike unless one is given apart. */
      pricePer1kTokens: wholeNumber('the price per 1000 tokens (smallest currency unit)').default(0n),
      promptPricePer1k: wholeNumber('the price per 1000 prompt tokens (smallest currency unit)').optional(),
      completionPricePer1k: wholeNumber(
        'the price per 1000 completion tokens (smallest currency unit)',
      ).optional(),
      open: z.boolean(),
      requestsPerMinute: z.coerce
        .number()
        .int('requests per minute is a whole number')
        .min(0)
        .max(2 ** 32 - 1)
        .default(0),
      termsURI: uri.optional(),
      /** keccak-256 of the terms' text, which consumers accept (the CLI computes it from --terms-file). */
      termsHash: contentRoot.optional(),
    })
    .strict()
    .refine((p) => (p.termsURI === undefined) === (p.termsHash === undefined), {
      message: 'usage terms need both their URI and the hash of their text (or neither)',
      path: ['termsURI'],
    }),
  z
    .object({
      ...proposalBase,
      kind: z.literal('set-allowed'),
      consumer: party('consumer'),
      allowed: z.boolean().default(true),
    })
    .strict(),
  z
    .object({
      ...proposalBase,
      kind: z.literal('mint-shares'),
      to: party('recipient'),
      shares: amount('the shares'),
    })
    .strict(),
  z
    .object({
      ...proposalBase,
      kind: z.literal('treasury-transfer'),
      to: party('recipient'),
      amountEth: amount('the amount (ETH)'),
    })
    .strict(),
  z
    .object({
      ...proposalBase,
      kind: z.literal('set-release-policy'),
      requirements: z
        .array(releaseRequirement)
        .max(
          MAX_RELEASE_REQUIREMENTS,
          `a release policy has at most ${MAX_RELEASE_REQUIREMENTS} requirements`,
        ),
    })
    .strict(),
  z
    .object({
      ...proposalBase,
      kind: z.literal('set-evaluator'),
      evaluator: party('evaluator'),
      approved: z.boolean().default(true),
    })
    .strict(),
  // Commons membership (model: `commons`): admit or revoke a node's address, or change the admission policy.
  z.object({ ...proposalBase, kind: z.literal('admit-member'), member: party('member') }).strict(),
  z.object({ ...proposalBase, kind: z.literal('revoke-member'), member: party('member') }).strict(),
  z
    .object({
      ...proposalBase,
      kind: z.literal('set-admission'),
      policy: z.enum(['open', 'approved'], { message: 'the admission policy is "open" or "approved"' }),
    })
    .strict(),
])

/** Attest an evaluation result for a version (the account must be an approved evaluator of the model). */
export const attestInput = z
  .object({
    account,
    model: modelRef,
    versionId: positiveWhole('the version'),
    evaluation: evaluationName,
    value: fixedPoint('the value'),
    /** Content root of the evaluation report (in the store), 0 when none. */
    reportRoot: contentRoot.optional(),
    reportURI: uri.optional(),
  })
  .strict()

/** Cast a ballot on a proposal. */
export const voteInput = z
  .object({
    account,
    proposal: proposalRef,
    support: z.enum(['for', 'against', 'abstain'], { message: 'a vote is "for", "against" or "abstain"' }),
    reason: z.string().max(MAX_REASON_CHARS, `a reason is at most ${MAX_REASON_CHARS} characters`).optional(),
  })
  .strict()

/** Queue or execute a passed proposal. */
export const proposalStepInput = z.object({ account, proposal: proposalRef }).strict()

/** Read an account's shares and voting power in a model. */
export const sharesInput = z.object({ model: modelRef, account: party('account').default('node') }).strict()

/** Every holder of a model's shares. */
export const capTableInput = z.object({ model: modelRef }).strict()

/** Move an account's voting power in a model to a delegate. */
export const delegateInput = z.object({ account, model: modelRef, to: party('delegate') }).strict()

export type CreateModelInput = z.input<typeof createModelInput>
export type AddVersionInput = z.input<typeof addVersionInput>
export type ProposeInput = z.input<typeof proposeInput>
export type VoteInput = z.input<typeof voteInput>
export type ProposalStepInput = z.input<typeof proposalStepInput>
export type SharesInput = z.input<typeof sharesInput>
export type CapTableInput = z.input<typeof capTableInput>
export type DelegateInput = z.input<typeof delegateInput>
export type AttestInput = z.input<typeof attestInput>
export type ModelCardFields = z.output<typeof modelCardFields>

/**
 * Validates input against a schema; a mismatch is an InvalidInputError whose message names the field
 * (`owners.0.shares: …`) and whose `details.field` lets a surface point at its own spelling of it.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'input'
  const message =
    issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue?.message
  throw new InvalidInputError(`Invalid ${field}: ${message}.`, { details: { field } })
}
