import { writeSync } from 'node:fs'
import { type DestinationStream, type Logger, pino } from 'pino'

export type { Logger }

/** How log lines look: `pretty` for a person at a terminal, `json` (one object a line) for programs. */
export type LogFormat = 'pretty' | 'json'

/**
 * The root logger. Components take `log.child({ component })`. Level from COMMONS_LOG_LEVEL
 * (default `info`, `silent` under the test runner). Logs go to stderr so CLI `--json` output stays clean:
 * readable lines when stderr is a terminal, JSON when it is piped or COMMONS_LOG_FORMAT=json
 * (`--log-format json`).
 */
export function createLogger(
  level = process.env.COMMONS_LOG_LEVEL ?? defaultLevel(),
  format: LogFormat = logFormat(),
): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['*.privateKey', '*.passphrase', '*.apiKey', '*.secret', 'privateKey', 'passphrase'],
        remove: true,
      },
    },
    format === 'json' ? pino.destination(2) : prettyDestination(useColor()),
  )
}

/** The log format: COMMONS_LOG_FORMAT when set, else pretty on a terminal and JSON otherwise. */
export function logFormat(): LogFormat {
  const chosen = process.env.COMMONS_LOG_FORMAT
  if (chosen === 'json' || chosen === 'pretty') return chosen
  return process.stderr.isTTY ? 'pretty' : 'json'
}

function defaultLevel(): string {
  return process.env.NODE_TEST_CONTEXT !== undefined ? 'silent' : 'info'
}

function useColor(): boolean {
  return process.stderr.isTTY === true && process.env.NO_COLOR === undefined
}

/** A logger that drops everything, for pure code under test. */
export const silentLogger: Logger = pino({ level: 'silent' })

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '\x1b[90m'],
  20: ['DEBUG', '\x1b[36m'],
  30: ['INFO ', '\x1b[32m'],
  40: ['WARN ', '\x1b[33m'],
  50: ['ERROR', '\x1b[31m'],
  60: ['FATAL', '\x1b[41m'],
}

/**
 * One pino JSON line as a person reads it: `12:04:05 WARN  [chain] message  key=value`, the error's
 * message (and stack at debug level) on its own lines.
 * @example formatLogLine('{"level":30,"time":0,"component":"net","msg":"started"}', false)
 */
export function formatLogLine(line: string, color: boolean): string {
  let entry: Record<string, unknown>
  try {
    entry = JSON.parse(line) as Record<string, unknown>
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`
  }
  const { level, time, component, msg, err, ...rest } = entry
  const [name, tint] = LEVELS[Number(level)] ?? ['LOG  ', '']
  const clock = new Date(typeof time === 'number' ? time : Date.now()).toTimeString().slice(0, 8)
  const paint = (s: string, code: string) => (color && code !== '' ? `${code}${s}\x1b[0m` : s)
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')
  const where = typeof component === 'string' ? `[${component}] ` : ''
  let out = `${paint(clock, '\x1b[90m')} ${paint(name, tint)} ${where}${String(msg ?? '')}`
  if (fields !== '') out += `  ${paint(fields, '\x1b[90m')}`
  if (err && typeof err === 'object') {
    const e = err as { type?: string; message?: string; stack?: string }
    const detail = Number(level) <= 20 && e.stack ? e.stack : `${e.type ?? 'Error'}: ${e.message ?? ''}`
    out += `\n    ${detail.split('\n').join('\n    ')}`
  } else if (typeof err === 'string') out += `\n    ${err}`
  return `${out}\n`
}

function prettyDestination(color: boolean): DestinationStream {
  return {
    write(line: string) {
      writeSync(2, formatLogLine(line.trimEnd(), color))
    },
  }
}
