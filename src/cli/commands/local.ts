import { join } from 'node:path'
import type { Command } from 'commander'
import { commandContext } from '../context.ts'
import { formatLocalCommons } from '../local-summary.ts'
import { untilStopSignal } from '../stop-signal.ts'

/** `commons local` (what `npm start` runs): a local commons of three member nodes, until Ctrl-C. */
export function registerLocal(program: Command): void {
  program
    .command('local')
    .description('run a local commons: a shared chain and three member nodes (university, clinic, ngo)')
    .option('--port <port>', 'API port of the first member; the others follow', '8480')
    .action(async (opts: { port: string }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const [{ runLocalCommons }, { createLogger }] = await Promise.all([
        import('../../node/index.ts'),
        import('../../log.ts'),
      ])
      const say = (line: string) => {
        if (!ctx.opts.json) process.stderr.write(`  ${line}\n`)
      }
      const commons = await runLocalCommons(
        {
          dataDir: ctx.dataDir,
          basePort: Number.parseInt(opts.port, 10),
          cli: {
            command: process.execPath,
            args: [join(import.meta.dirname, '..', '..', '..', 'bin', 'commons.js')],
          },
          onProgress: say,
        },
        { log: createLogger() },
      )
      const memoryBytes = await commons.memoryBytes()
      const pids = await commons.pids()
      const info = { ...commons, memoryBytes, processes: pids.length, pids, dataDir: ctx.dataDir }
      if (ctx.opts.json) {
        const members = commons.members.map(({ pid, ...m }) => ({ ...m, pid: pid() }))
        process.stdout.write(`${JSON.stringify({ ...info, members })}\n`)
      } else process.stdout.write(formatLocalCommons(info))
      await untilStopSignal(() => say('still stopping: every member saves its state…'))
      say('stopping every member…')
      await commons.stop()
      process.exit(0)
    })
}
