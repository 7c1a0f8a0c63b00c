import { readFile } from 'node:fs/promises'
import { writeFileAtomic } from '../atomic-file.ts'

/** Where a chain watcher stands: the last block whose events it applied. */
export interface ChainCursor {
  load(): Promise<bigint | undefined>
  save(block: bigint): Promise<void>
}

/**
 * A cursor kept in a file of the data dir, so a restarted node resumes where it stopped instead of at the
 * head (missing what happened while it was down). It belongs to one chain and one registry: a file of
 * another deployment is ignored.
 */
export function fileCursor(path: string, scope: { chainId: number; registry: string }): ChainCursor {
  return {
    async load() {
      try {
        const saved = JSON.parse(await readFile(path, 'utf8')) as {
          chainId?: unknown
          registry?: unknown
          block?: unknown
        }
        if (
          saved.chainId !== scope.chainId ||
          typeof saved.registry !== 'string' ||
          saved.registry.toLowerCase() !== scope.registry.toLowerCase() ||
          typeof saved.block !== 'string' ||
          !/^\d+$/.test(saved.block)
        )
          return undefined
        return BigInt(saved.block)
      } catch {
        return undefined
      }
    },
    save: (block) =>
      writeFileAtomic(
        path,
        `${JSON.stringify({ chainId: scope.chainId, registry: scope.registry, block: block.toString() })}\n`,
        { mode: 0o600 },
      ),
  }
}
