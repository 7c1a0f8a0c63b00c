import { type Logger, pino } from 'pino'

export type { Logger }

/**
 * The root logger. Components take `log.child({ component })`. Level from COMMONS_LOG_LEVEL
 * (default `info`, `silent` under the test runner). Logs go to stderr so CLI `--json` output stays clean.
 */
export function createLogger(level = process.env.COMMONS_LOG_LEVEL ?? defaultLevel()): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['*.privateKey', '*.passphrase', '*.apiKey', '*.secret', 'privateKey', 'passphrase'],
        remove: true,
      },
    },
    pino.destination(2),
  )
}

function defaultLevel(): string {
  return process.env.NODE_TEST_CONTEXT !== undefined ? 'silent' : 'info'
}

/** A logger that drops everything, for pure code under test. */
export const silentLogger: Logger = pino({ level: 'silent' })
