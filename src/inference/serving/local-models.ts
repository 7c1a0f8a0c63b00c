import type { InferenceEngine } from '../index.ts'

/** The engines loaded on this node, by content root (filled by the node root from the store). */
export interface LocalModels {
  /** The engine serving a content root here, if it is loaded. */
  get(contentRoot: string): InferenceEngine | undefined
  /** Content roots loaded here. */
  roots(): string[]
}

/** Content roots compare without `0x` and case. */
export function normalizeRoot(root: string): string {
  return (root.startsWith('0x') || root.startsWith('0X') ? root.slice(2) : root).toLowerCase()
}

/**
 * LocalModels over a map the owner fills and empties as engines load and unload.
 * @example
 * const local = new LoadedModels(); local.set(root, await createInferenceEngine({ path, contentRoot: root }))
 */
export class LoadedModels implements LocalModels {
  private readonly engines = new Map<string, InferenceEngine>()

  /** Registers the engine of a content root. */
  set(contentRoot: string, engine: InferenceEngine): void {
    this.engines.set(normalizeRoot(contentRoot), engine)
  }

  /** Forgets a content root (the caller disposes the engine). */
  delete(contentRoot: string): InferenceEngine | undefined {
    const key = normalizeRoot(contentRoot)
    const engine = this.engines.get(key)
    this.engines.delete(key)
    return engine
  }

  get(contentRoot: string): InferenceEngine | undefined {
    const engine = this.engines.get(normalizeRoot(contentRoot))
    return engine?.disposed === true ? undefined : engine
  }

  roots(): string[] {
    return [...this.engines.keys()]
  }
}
