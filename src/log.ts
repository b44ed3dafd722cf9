import pino from 'pino'

export type Logger = pino.Logger

/** Creates the service logger: one JSON line per entry, written synchronously to stdout. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  })
}

/**
 * Wraps a log call so that an error repeated many times in a row is written at most once per
 * interval, with the number of repeats suppressed since the last line.
 */
export function rateLimited(intervalMs: number, maxKeys = 10_000) {
  const last = new Map<string, { at: number; suppressed: number }>()
  return (key: string, write: (suppressed: number) => void) => {
    const now = Date.now()
    // Keys can come from clients (unregistered hosts), so old ones are dropped to bound memory.
    if (last.size >= maxKeys) {
      for (const [old, entry] of last) if (now - entry.at >= intervalMs) last.delete(old)
      if (last.size >= maxKeys) last.clear()
    }
    const entry = last.get(key)
    if (entry && now - entry.at < intervalMs) {
      entry.suppressed++
      return
    }
    write(entry?.suppressed ?? 0)
    last.set(key, { at: now, suppressed: 0 })
  }
}
