import { recoverMessageAddress } from 'viem'
import { z } from 'zod'
import { deploymentSchema } from '../chain/index.ts'
import { InvalidInviteError, InviteExpiredError, InviteSignatureError } from './errors.ts'

/** What an invite tells a joining node: the chain, the contracts, whom to dial, who invited, until when. */
export const invitePayloadSchema = z
  .object({
    v: z.literal(1),
    chainId: z.number().int().positive(),
    rpcUrl: z.string().regex(/^(https?|wss?):\/\/./, 'the RPC URL must be http(s):// or ws(s)://'),
    deployment: deploymentSchema,
    bootstrap: z.array(z.string().max(512)).min(1).max(16),
    inviter: z.string().regex(/^0x[0-9a-fA-F]{40}$/) as unknown as z.ZodType<`0x${string}`>,
    /** Unix seconds. */
    expiresAt: z.number().int().positive(),
  })
  .strict()
  .refine((p) => p.deployment.chainId === p.chainId, {
    message: 'the deployment is for another chain than the invite names',
    path: ['deployment', 'chainId'],
  })
export type InvitePayload = z.infer<typeof invitePayloadSchema>

/** Every invite starts with this, so a pasted string is recognised (or refused) at a glance. */
const PREFIX = 'commons-invite-v1.'
/** An invite is pasted by hand: anything longer is not one of ours. */
const MAX_INVITE_CHARS = 16_384

/** The EIP-191 message the inviting node signs: the encoded payload, under a fixed header. */
function signedMessage(body: string): string {
  return `Model Commons invite\n${body}`
}

/**
 * Encodes and signs an invite: `commons-invite-v1.<base64url JSON>.<base64url EIP-191 signature>`.
 * @example
 * const invite = await encodeInvite(payload, (message) => account.signMessage({ message }))
 */
export async function encodeInvite(
  payload: InvitePayload,
  sign: (message: string) => Promise<`0x${string}`>,
): Promise<string> {
  const body = Buffer.from(JSON.stringify(invitePayloadSchema.parse(payload))).toString('base64url')
  const signature = await sign(signedMessage(body))
  return `${PREFIX}${body}.${Buffer.from(signature.slice(2), 'hex').toString('base64url')}`
}

/** Decodes an invite and checks its form, its signature (by the inviter it names) and its expiry. */
export async function decodeInvite(text: string, nowSeconds: number): Promise<InvitePayload> {
  const invite = text.trim()
  if (invite.length > MAX_INVITE_CHARS || !invite.startsWith(PREFIX))
    throw new InvalidInviteError(
      `That is not a Model Commons invite (one starts with "${PREFIX}"). Ask a member to run \`commons invite\` and paste all of what it prints.`,
    )
  const [body, sig, ...rest] = invite.slice(PREFIX.length).split('.')
  if (!body || !sig || rest.length > 0)
    throw new InvalidInviteError('The invite is cut short or has extra parts: paste all of it, as printed.')
  const payload = parsePayload(body)
  const signature = Buffer.from(sig, 'base64url')
  if (signature.length !== 65)
    throw new InviteSignatureError('The invite carries no valid signature: it was altered or cut short.')
  let signer: `0x${string}`
  try {
    signer = await recoverMessageAddress({
      message: signedMessage(body),
      signature: `0x${signature.toString('hex')}`,
    })
  } catch (err) {
    throw new InviteSignatureError('The invite carries no valid signature: it was altered or cut short.', {
      cause: err,
    })
  }
  if (signer.toLowerCase() !== payload.inviter.toLowerCase())
    throw new InviteSignatureError(
      `The invite says it comes from ${payload.inviter} but was signed by ${signer}: it was forged or altered. Ask the member for a new one.`,
    )
  if (payload.expiresAt <= nowSeconds)
    throw new InviteExpiredError(
      `The invite expired at ${new Date(payload.expiresAt * 1000).toISOString()}. Ask a member for a new one (\`commons invite\`).`,
    )
  return payload
}

function parsePayload(body: string): InvitePayload {
  let raw: unknown
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch (err) {
    throw new InvalidInviteError(
      'The invite is garbled (its content is not readable): paste all of it, as printed.',
      {
        cause: err,
      },
    )
  }
  const parsed = invitePayloadSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidInviteError(
      `The invite is malformed: ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`,
    )
  }
  return parsed.data
}
