import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { processIsolation } from '../../chain/index.ts'
import type { Logger } from '../../log.ts'
import { NodeStartFailedError } from '../errors.ts'
import type { LocalMember } from './members.ts'

/** How to run the `commons` CLI in a child process. */
export interface CliCommand {
  command: string
  args: string[]
}

/** How long a member may take to start (first start includes deploying contracts on a busy machine). */
const MEMBER_START_TIMEOUT_MS = 120_000
/** A member that crashed is started again after this long, at most MAX_RESTARTS times. */
const RESTART_DELAY_MS = 500
const MAX_RESTARTS = 5

/**
 * One member's `commons up` process, supervised: its log goes to `<data>/node.log`, and when it dies
 * without being asked (a crash, a kill -9) it is started again on the same data dir, ports and keys.
 */
export class MemberProcess {
  private child: ChildProcess | undefined
  private stopping = false
  private restarts = 0
  /** Resolves when the member is (again) ready. */
  ready: Promise<void> = Promise.resolve()

  constructor(
    readonly member: LocalMember,
    private readonly cli: CliCommand,
    private readonly log: Logger,
    private readonly onRestarted: (m: LocalMember) => void = () => {},
  ) {}

  /** The current process id (changes on each restart). */
  get pid(): number | undefined {
    return this.child?.pid
  }

  /** Starts the member and resolves once its API answers. */
  start(): Promise<void> {
    this.ready = this.spawn()
    return this.ready
  }

  private spawn(): Promise<void> {
    const m = this.member
    const argv = [...this.cli.args, '--data', m.layout.root, '--json', 'up']
    // Dies with the launcher even on a kill -9 of it (the kernel signals it), so nothing is left behind.
    const line = processIsolation().parentDeath
      ? { command: 'setpriv', args: ['--pdeathsig', 'TERM', '--', this.cli.command, ...argv] }
      : { command: this.cli.command, args: argv }
    // Its own process group: Ctrl-C reaches the launcher, which stops the members in order (the chain last).
    const child = spawn(line.command, line.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, COMMONS_LOG_FORMAT: 'json' },
    })
    this.child = child
    const logFile = createWriteStream(join(m.layout.root, 'node.log'), { flags: 'a', mode: 0o600 })
    child.stderr!.pipe(logFile)
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new NodeStartFailedError(
            `${m.name} did not start in ${MEMBER_START_TIMEOUT_MS / 1000} s; see ${logFile.path}.`,
          ),
        )
      }, MEMBER_START_TIMEOUT_MS)
      timer.unref()
      createInterface({ input: child.stdout! }).once('line', () => {
        clearTimeout(timer)
        resolve()
      })
      child.once('exit', (code, signal) => {
        clearTimeout(timer)
        reject(
          new NodeStartFailedError(
            `${m.name} exited (${signal ?? code}) before it was ready; see ${logFile.path}.`,
          ),
        )
        if (!this.stopping) this.onCrash(code, signal)
      })
    })
  }

  private onCrash(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.restarts >= MAX_RESTARTS) {
      this.log.error({ member: this.member.name, code, signal }, 'member keeps crashing; not restarting it')
      return
    }
    this.restarts++
    this.log.warn({ member: this.member.name, code, signal }, 'member stopped unexpectedly; restarting it')
    setTimeout(() => {
      if (this.stopping) return
      this.ready = this.spawn()
      this.ready.then(
        () => this.onRestarted(this.member),
        (err) => this.log.warn({ err, member: this.member.name }, 'member restart failed'),
      )
    }, RESTART_DELAY_MS).unref()
  }

  /** Stops the member with SIGTERM and waits until its process has exited. */
  async stop(): Promise<void> {
    this.stopping = true
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    await exited
  }
}
