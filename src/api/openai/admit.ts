import type { Context } from 'hono'
import type { ResolvedModel } from '../../inference/index.ts'
import type { ApiKeyVariables } from '../api-keys/require-api-key.ts'
import type { OpenAiContext } from './index.ts'

/**
 * Applies the model's usage policy to the caller (the address its API key or session acts for) before
 * any work: refusals are clear OpenAI-shaped errors (401/402/403/429) and are counted by reason.
 */
export async function admitConsumer(
  c: OpenAiContext,
  ctx: Context,
  target: ResolvedModel,
  bound?: { promptBytes: number; maxTokens: number },
  unmetered?: boolean,
): Promise<void> {
  if (c.policy === undefined) return
  const address = consumerOf(ctx)
  try {
    await c.policy.admit({
      modelId: target.modelId,
      modelName: target.modelName,
      consumer: address,
      bound,
      unmetered,
    })
  } catch (err) {
    const reason = (err as { reason?: unknown }).reason
    if (typeof reason === 'string') c.onRefusal?.(reason, target.modelName)
    throw err
  }
}

/** The address the caller's API key or session acts for, if any. */
export function consumerOf(ctx: Context): `0x${string}` | undefined {
  const principal = (ctx as Context<{ Variables: ApiKeyVariables }>).get('apiKey')
  return (principal?.address ?? undefined) as `0x${string}` | undefined
}
