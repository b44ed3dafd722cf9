import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The repository's deploy/ folder. */
export const deployDir = join(import.meta.dir, '..', '..', 'deploy')

export const readDeployFile = (path: string) => readFileSync(join(deployDir, path), 'utf8')

/** Returns the path of a system program, looking in /usr/sbin too for non-root PATHs. */
export function findProgram(name: string): string | undefined {
  const found = Bun.which(name) ?? Bun.which(name, { PATH: '/usr/local/sbin:/usr/sbin:/sbin' })
  return found ?? undefined
}

/**
 * Reports whether tests that need `programs` should be skipped, which is only when one is
 * missing and CI is not "true". Under CI a missing program is a failure, so a skip cannot hide it.
 */
export function skipWithout(programs: string[]): boolean {
  const missing = programs.filter((name) => !findProgram(name))
  if (missing.length === 0) return false
  if (process.env.CI === 'true') return false
  const subject = missing.length === 1 ? 'it is' : 'they are'
  console.warn(
    `skipping the tests that need ${missing.join(' and ')}, because ${subject} not installed. ` +
      `Install with "apt-get install -y nginx supervisor". Under CI=true these tests fail instead.`,
  )
  return true
}

/** Returns the path of a program, or throws an error with the command that installs it. */
export function requireProgram(name: string): string {
  const path = findProgram(name)
  if (!path) throw new Error(`${name} is not installed: apt-get install -y nginx supervisor`)
  return path
}

/**
 * Creates a temporary directory that other users can enter, because nginx workers started by
 * root run as the user nobody and use temporary paths inside it.
 */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  chmodSync(dir, 0o755)
  return dir
}

/** Returns a loopback port that was free a moment ago. The caller retries if it is taken. */
export function freePort(): number {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = listener.port
  listener.stop(true)
  return port
}

/**
 * Replaces every `from` in `text`, throwing when there is none, so that a changed deploy file
 * fails the test instead of silently running with production values.
 */
export function substitute(text: string, from: string | RegExp, to: string): string {
  const pattern =
    typeof from === 'string'
      ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g')
      : new RegExp(from.source, from.flags.includes('g') ? from.flags : `${from.flags}g`)
  if (!pattern.test(text)) throw new Error(`deploy file no longer contains ${String(from)}`)
  pattern.lastIndex = 0
  return text.replace(pattern, () => to)
}

/**
 * Calls `check` every `intervalMs` until it returns a value other than undefined, or throws
 * after `timeoutMs` with `what` in the message.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await check()
    if (value !== undefined) return value
    await Bun.sleep(intervalMs)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

/** Reads a file that may not exist yet. */
export const readIfExists = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '')

/** Parses the JSON log lines of the service in `text`. */
export function logEntries(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}
