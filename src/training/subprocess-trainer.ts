import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { TensorMap } from '../aggregation/index.ts'
import { AbortedError, InvalidInputError, throwIfAborted } from '../errors.ts'
import { readGguf, writeGguf } from '../gguf/index.ts'
import { type Logger, silentLogger } from '../log.ts'
import { DEFAULT_EVAL } from './constants.ts'
import type { TokenDataset } from './data/index.ts'
import { SubprocessTrainerError, TrainerDisposedError } from './errors.ts'
import type {
  EvaluateOptions,
  EvaluateResult,
  SubprocessTrainerInit,
  Trainer,
  TrainerComponents,
  TrainOptions,
  TrainResult,
} from './index.ts'
import { tensorMapOf } from './param-layout.ts'
import { declaredTensors, writeTokenFile } from './subprocess-files.ts'
import {
  SUBPROCESS_PROTOCOL_VERSION,
  type TrainerReply,
  type TrainerRequest,
  trainerReplySchema,
} from './subprocess-protocol.ts'

const DEFAULT_TIMEOUT_MS = 10 * 60_000
const SHUTDOWN_GRACE_MS = 5_000
const STDERR_TAIL_LINES = 20

interface Pending {
  resolve: (reply: TrainerReply) => void
  reject: (error: Error) => void
  onReply?: (reply: TrainerReply) => void
  timer: NodeJS.Timeout
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** A Trainer backed by an external process speaking the NDJSON protocol of docs/trainer.md. */
export class SubprocessTrainer implements Trainer {
  private readonly pending = new Map<number, Pending>()
  private readonly stderrTail: string[] = []
  private nextId = 1
  private tensors: Array<{ name: string; shape: number[] }> = []
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  private disposed = false
  private readonly exitPromise: Promise<void>

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly dir: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {
    this.exitPromise = new Promise((resolve) => {
      const gone = (
        exited: { code: number | null; signal: NodeJS.Signals | null },
        error: SubprocessTrainerError,
      ): void => {
        if (this.exited !== undefined) return
        this.exited = exited
        for (const p of this.pending.values()) {
          clearTimeout(p.timer)
          p.reject(error)
        }
        this.pending.clear()
        resolve()
      }
      child.once('exit', (code, signal) =>
        gone(
          { code, signal },
          new SubprocessTrainerError(
            `The external trainer exited (code ${code}, signal ${signal}). Last stderr:\n${this.stderrTail.join('\n')}`,
            {
              details: { code, signal },
            },
          ),
        ),
      )
      // 'error' without 'exit' means the process never started (command not found, not executable).
      child.once('error', (cause) =>
        gone(
          { code: null, signal: null },
          new SubprocessTrainerError(`The external trainer could not be run: ${cause.message}`, { cause }),
        ),
      )
    })
    child.stdin.on('error', () => {}) // EPIPE after the child exits is reported through 'exit'.
    createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line))
    createInterface({ input: child.stderr }).on('line', (line) => {
      this.stderrTail.push(line)
      if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift()
      this.log.debug({ line }, 'external trainer stderr')
    })
  }

  /** Spawns the process and performs the hello handshake (which declares the model's tensors). */
  static async start(init: SubprocessTrainerInit, components: TrainerComponents): Promise<SubprocessTrainer> {
    const dir = await mkdtemp(join(tmpdir(), 'commons-trainer-'))
    const child = spawn(init.command, init.args ?? [], {
      cwd: init.cwd,
      env: init.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const log = (components.log ?? silentLogger).child({ component: 'trainer', trainer: 'subprocess' })
    const trainer = new SubprocessTrainer(child, dir, init.timeoutMs ?? DEFAULT_TIMEOUT_MS, log)
    try {
      const hello = await trainer.request({ type: 'hello', protocol: SUBPROCESS_PROTOCOL_VERSION })
      if (hello.type !== 'hello' || hello.protocol !== SUBPROCESS_PROTOCOL_VERSION) {
        throw new SubprocessTrainerError(
          `The external trainer speaks protocol ${hello.type === 'hello' ? hello.protocol : '?'}; this node needs ${SUBPROCESS_PROTOCOL_VERSION}.`,
        )
      }
      trainer.tensors = hello.tensors
      log.debug({ trainer: hello.trainer, tensors: hello.tensors.length }, 'external trainer ready')
      return trainer
    } catch (error) {
      await trainer.dispose()
      throw error
    }
  }

  async loadParams(params: TensorMap): Promise<void> {
    this.assertLive()
    const path = join(this.dir, `params-${this.nextId}.gguf`)
    await writeGguf(path, {
      metadata: { 'general.architecture': 'llama' },
      tensors: declaredTensors(this.tensors, params),
    })
    try {
      await this.request({ type: 'load_params', path })
    } finally {
      await rm(path, { force: true })
    }
  }

  async getParams(): Promise<TensorMap> {
    this.assertLive()
    const path = join(this.dir, `get-${this.nextId}.gguf`)
    try {
      await this.request({ type: 'get_params', path })
      return await this.readParams(path)
    } finally {
      await rm(path, { force: true })
    }
  }

  async train(options: TrainOptions): Promise<TrainResult> {
    this.assertLive()
    throwIfAborted(options.signal)
    for (const [k, v] of Object.entries({
      steps: options.steps,
      batchSize: options.batchSize,
      seqLen: options.seqLen,
    })) {
      if (!Number.isInteger(v) || v < 1)
        throw new InvalidInputError(`${k} must be a positive integer; got ${v}.`)
    }
    const id = this.nextId
    const data = await writeTokenFile(options.data, join(this.dir, `train-${id}.u16`))
    const output = join(this.dir, `update-${id}.gguf`)
    const started = performance.now()
    let initialLoss = Number.NaN
    try {
      const reply = await this.request(
        {
          type: 'train',
          data,
          output,
          steps: options.steps,
          batchSize: options.batchSize,
          seqLen: options.seqLen,
          learningRate: options.learningRate,
          proximalMu: options.proximalMu ?? 0,
          seed: options.seed ?? 0,
        },
        {
          signal: options.signal,
          onReply: (r) => {
            if (r.type !== 'progress') return
            if (Number.isNaN(initialLoss)) initialLoss = r.loss
            const seconds = (performance.now() - started) / 1000
            options.onProgress?.({
              type: 'training:step:completed',
              detail: {
                step: r.step,
                steps: r.steps,
                loss: r.loss,
                tokensPerSecond: (r.step * options.batchSize * options.seqLen) / seconds,
              },
            })
          },
        },
      )
      if (reply.type !== 'trained') throw this.unexpected(reply, 'trained')
      const seconds = (performance.now() - started) / 1000
      const tokens = options.steps * options.batchSize * options.seqLen
      return {
        update: await this.readParams(output),
        updateKind: 'weights',
        numExamples: reply.numExamples,
        metrics: {
          initialLoss,
          steps: options.steps,
          tokens,
          seconds,
          tokensPerSecond: tokens / seconds,
          ...reply.metrics,
        },
      }
    } finally {
      await Promise.all([rm(data, { force: true }), rm(output, { force: true })])
    }
  }

  async evaluate(data: TokenDataset, options: EvaluateOptions = {}): Promise<EvaluateResult> {
    this.assertLive()
    const path = await writeTokenFile(data, join(this.dir, `eval-${this.nextId}.u16`))
    try {
      const reply = await this.request(
        {
          type: 'evaluate',
          data: path,
          seqLen: options.seqLen ?? DEFAULT_EVAL.seqLen,
          maxWindows: options.maxWindows ?? DEFAULT_EVAL.maxWindows,
        },
        { signal: options.signal },
      )
      if (reply.type !== 'evaluated') throw this.unexpected(reply, 'evaluated')
      return { loss: reply.loss, tokens: reply.tokens }
    } finally {
      await rm(path, { force: true })
    }
  }

  async exportGguf(path: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.assertLive()
    await this.request({ type: 'export_gguf', path }, { signal: options.signal })
  }

  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    if (this.exited === undefined) {
      this.send({ id: this.nextId++, type: 'shutdown' })
      this.child.stdin.end()
      const timer = setTimeout(() => this.child.kill('SIGKILL'), SHUTDOWN_GRACE_MS)
      await this.exitPromise
      clearTimeout(timer)
    }
    await rm(this.dir, { recursive: true, force: true })
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose()
  }

  private request(
    body: DistributiveOmit<TrainerRequest, 'id'>,
    options: { signal?: AbortSignal; onReply?: (reply: TrainerReply) => void } = {},
  ): Promise<TrainerReply> {
    if (this.exited !== undefined)
      return Promise.reject(
        new SubprocessTrainerError(`The external trainer has exited (code ${this.exited.code}).`),
      )
    const id = this.nextId++
    return new Promise<TrainerReply>((resolve, reject) => {
      const onAbort = (): void => {
        this.forget(id)
        this.send({ id: this.nextId++, type: 'cancel', target: id })
        reject(new AbortedError(undefined, { cause: options.signal?.reason }))
      }
      const timeout = (): NodeJS.Timeout =>
        setTimeout(() => {
          this.forget(id)
          reject(
            new SubprocessTrainerError(
              `The external trainer did not answer ${body.type} within ${this.timeoutMs} ms.`,
            ),
          )
        }, this.timeoutMs)
      const entry: Pending = {
        timer: timeout(),
        resolve: (reply) => {
          options.signal?.removeEventListener('abort', onAbort)
          resolve(reply)
        },
        reject: (error) => {
          options.signal?.removeEventListener('abort', onAbort)
          reject(error)
        },
        onReply: (reply) => {
          clearTimeout(entry.timer)
          entry.timer = timeout()
          options.onReply?.(reply)
        },
      }
      this.pending.set(id, entry)
      options.signal?.addEventListener('abort', onAbort, { once: true })
      this.send({ id, ...body } as TrainerRequest)
    })
  }

  private forget(id: number): void {
    const p = this.pending.get(id)
    if (p !== undefined) clearTimeout(p.timer)
    this.pending.delete(id)
  }

  private send(message: TrainerRequest): void {
    if (this.exited === undefined && this.child.stdin.writable)
      this.child.stdin.write(`${JSON.stringify(message)}\n`)
  }

  private onLine(line: string): void {
    if (line.trim() === '') return
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      this.log.warn({ line }, 'external trainer wrote a non-JSON line to stdout; use stderr for logs')
      return
    }
    const parsed = trainerReplySchema.safeParse(json)
    if (!parsed.success) {
      const id = typeof (json as { id?: unknown }).id === 'number' ? (json as { id: number }).id : undefined
      const p = id === undefined ? undefined : this.pending.get(id)
      const error = new SubprocessTrainerError(
        `The external trainer sent a malformed message: ${line.slice(0, 200)}`,
        { cause: parsed.error },
      )
      if (p !== undefined && id !== undefined) {
        this.forget(id)
        p.reject(error)
      } else this.log.warn({ line }, 'malformed message from external trainer')
      return
    }
    const reply = parsed.data
    const p = this.pending.get(reply.id)
    if (p === undefined) return // A reply to a cancelled or timed-out request.
    if (reply.type === 'progress') {
      p.onReply?.(reply)
      return
    }
    this.forget(reply.id)
    if (reply.type === 'error') {
      p.reject(
        new SubprocessTrainerError(`The external trainer failed: ${reply.message}`, {
          details: { code: reply.code },
        }),
      )
    } else p.resolve(reply)
  }

  private async readParams(path: string): Promise<TensorMap> {
    const model = await readGguf(path).catch((cause: unknown) => {
      throw new SubprocessTrainerError(
        `The external trainer's tensor file ${path} could not be read as GGUF.`,
        { cause },
      )
    })
    return tensorMapOf(model.tensors)
  }

  private unexpected(reply: TrainerReply, wanted: string): SubprocessTrainerError {
    return new SubprocessTrainerError(
      `The external trainer answered ${reply.type} where ${wanted} was expected.`,
    )
  }

  private assertLive(): void {
    if (this.disposed) throw new TrainerDisposedError('This trainer was disposed; start a new one.')
  }
}
