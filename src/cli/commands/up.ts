import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { dataDirLayout, readConfig, writeConfig } from '../../node/index.ts'
import { commandContext } from '../context.ts'
import { untilStopSignal } from '../stop-signal.ts'

/** `commons up`: start the node and keep it running until Ctrl-C. */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start the node: embedded chain (or --rpc), API, and the demo model on first run')
    .option('--host <host>', 'API listen address')
    .option('--port <port>', 'API port (0 picks a free one)')
    .option('--no-demo', 'do not create the demo model on first start')
    .action(async (opts: { host?: string; port?: string; demo: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const [{ createNode }, { createLogger }] = await Promise.all([
        import('../../node/index.ts'),
        import('../../log.ts'),
      ])
      const t0 = performance.now()
      const node = await createNode(
        {
          dataDir: ctx.dataDir,
          passphrase: ctx.passphrase,
          config: {
            api: {
              ...(opts.host ? { host: opts.host } : {}),
              ...(opts.port !== undefined ? { port: Number.parseInt(opts.port, 10) } : {}),
            },
            chain: ctx.opts.rpc
              ? { mode: 'rpc', rpcUrl: ctx.opts.rpc, deploymentFile: ctx.opts.deployment }
              : {},
            ...(opts.demo === false ? { demo: false } : {}),
          },
          onProgress: (e) => {
            if (!ctx.opts.json) process.stderr.write(`  ${e.detail.message}\n`)
          },
        },
        { log: createLogger() },
      )
      // The chain a node was started with is kept in its config: later commands on this data dir use it
      // instead of silently starting a private chain with new contracts. Saved once the node started, so
      // a value it refused (bad URL, invalid deployment file) is never kept.
      if (ctx.opts.rpc) await rememberChain(ctx.dataDir, ctx.opts.rpc, ctx.opts.deployment)
      const models = await node.governance.listModels()
      const info = {
        address: node.address,
        apiUrl: node.apiUrl,
        rpcUrl: node.rpcUrl,
        dataDir: ctx.dataDir,
        models: models.map((m) => m.name),
        readyMs: Math.round(performance.now() - t0),
      }
      if (ctx.opts.json) process.stdout.write(`${JSON.stringify(info)}\n`)
      else {
        process.stdout.write(
          [
            `Model Commons node ready in ${info.readyMs} ms`,
            `  address  ${info.address}`,
            `  API      ${info.apiUrl}/api/models   (health: ${info.apiUrl}/healthz, metrics: /metrics)`,
            `  OpenAI   ${info.apiUrl}/v1   (create a key: npm run commons -- key create --label me)`,
            `  chain    ${info.rpcUrl}`,
            `  data     ${info.dataDir}`,
            `  models   ${info.models.join(', ') || 'none yet'}`,
            'Try in another terminal: `npm run commons -- model list`. Stop with Ctrl-C.',
            '',
          ].join('\n'),
        )
      }
      await untilStopSignal(() => {
        if (!ctx.opts.json)
          process.stderr.write('still stopping: saving the chain and closing connections…\n')
      })
      if (!ctx.opts.json) process.stderr.write('stopping…\n')
      await node.stop()
      // Everything is persisted and closed; do not wait on stray timers of third-party libraries.
      process.exit(0)
    })
}

/** Saves `--rpc` and `--deployment` (as an absolute path) in the data dir's config.json. */
async function rememberChain(dataDir: string, rpcUrl: string, deployment: string | undefined): Promise<void> {
  const layout = dataDirLayout(dataDir)
  await mkdir(layout.root, { recursive: true, mode: 0o700 })
  const config = await readConfig(layout.config)
  const chain = {
    mode: 'rpc' as const,
    rpcUrl,
    deploymentFile: deployment === undefined ? config.chain.deploymentFile : resolve(deployment),
  }
  await writeConfig(layout.config, { ...config, chain })
}
