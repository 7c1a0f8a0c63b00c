import type { ChainReader } from '../chain/index.ts'
import { findModelId } from '../chain/index.ts'
import type { Logger } from '../log.ts'
import type { FetchResult } from '../store/index.ts'
import { fileCursor } from './chain-cursor.ts'
import { watchRegistries } from './chain-watcher.ts'
import type { NodeNetwork } from './network.ts'
import { VersionFollower } from './version-follower.ts'

/** What the node follows: the models named in `store.follow`, and how often it polls the chain. */
export interface FollowVersionsInit {
  follow: string[]
  pollingIntervalMs: number
  /** File keeping the last block the watcher applied, so a restart misses no event (omit: start at the head). */
  cursorFile?: string
  /** Called on every published version (the model server refreshes what it serves). */
  onVersionPublished(): void
}

/** What following needs: the chain to watch, the network to re-check and fetch through. */
export interface FollowVersionsComponents {
  reader: ChainReader
  network: Pick<NodeNetwork, 'host' | 'directory' | 'store'>
  fetch(root: string): Promise<FetchResult>
  log: Logger
}

/**
 * Watches the registries: re-checks admission when the node set changes, and fetches each newly
 * published version of the followed models. Returns the function that stops both.
 */
export async function followVersions(
  init: FollowVersionsInit,
  c: FollowVersionsComponents,
): Promise<() => void> {
  const followed = new Set<string>()
  for (const m of init.follow) {
    const id = await findModelId(c.reader, m)
    if (id === undefined) c.log.warn({ model: m }, 'store.follow names an unknown model; ignoring it')
    else followed.add(id.toString())
  }
  const follower = new VersionFollower({
    follows: (id) => followed.has(id.toString()),
    has: (root) => c.network.store.has(root),
    fetch: (root) => c.fetch(root),
    log: c.log,
  })
  const unwatch = watchRegistries(
    {
      reader: c.reader,
      log: c.log,
      cursor:
        init.cursorFile === undefined
          ? undefined
          : fileCursor(init.cursorFile, {
              chainId: c.reader.deployment.chainId,
              registry: c.reader.deployment.modelRegistry,
            }),
    },
    {
      onNodesChanged: () => {
        // Drop peers that left the registry, and forget what they announced.
        void c.network.host
          .recheckAdmission()
          .then((dropped) => {
            for (const p of dropped) c.network.directory.remove(p)
          })
          .catch((err) => c.log.warn({ err }, 'admission re-check failed'))
      },
      onVersionPublished: (e) => {
        follower.onVersionPublished(e)
        init.onVersionPublished()
      },
    },
    { pollingIntervalMs: init.pollingIntervalMs },
  )
  return () => {
    unwatch()
    follower.stop()
  }
}
