import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ApiError } from './errors'
import { Registry, type SiteView } from './registry'
import { SqliteStore } from './store/sqlite'
import type { Settings } from './store/types'

/** A CLI command's flags after parsing: strings and booleans by flag name. */
export type Flags = Record<string, string | boolean | undefined>

const common = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export function parseCommand(
  args: string[],
  options: Record<string, { type: 'string' | 'boolean'; short?: string }>,
) {
  const { values, positionals } = parseArgs({
    args,
    options: { ...common, ...options },
    allowPositionals: true,
    strict: true,
  })
  return { flags: values as Flags, positionals }
}

/**
 * Opens the registry of the data directory named by --data-dir, SOCKETIZER_DATA_DIR or ./data.
 * Only commands that write (`create`) may create it, so a mistyped directory is an error.
 */
export async function openRegistry(flags: Flags, create = false) {
  const dataDir = (flags['data-dir'] as string) ?? process.env.SOCKETIZER_DATA_DIR ?? './data'
  if (!create && !existsSync(join(dataDir, 'socketizer.sqlite'))) {
    throw new ApiError(
      'not_found',
      `no registry in ${dataDir} (socketizer.sqlite not found); check --data-dir or SOCKETIZER_DATA_DIR`,
    )
  }
  const registry = new Registry(new SqliteStore(dataDir))
  await registry.refresh()
  return registry
}

/** Parses a flag that takes a whole number, or `default` for null when `nullable`. */
export function integerFlag(flags: Flags, name: string, nullable = false) {
  const value = flags[name]
  if (value === undefined) return undefined
  if (nullable && value === 'default') return null
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value)
  const fix = nullable ? 'a whole number or "default"' : 'a whole number'
  throw new ApiError('invalid_body', `--${name} must be ${fix}, not ${JSON.stringify(value)}`, name)
}

export function booleanFlag(flags: Flags, name: string) {
  const value = flags[name]
  if (value === undefined) return undefined
  if (value === 'true' || value === 'false') return value === 'true'
  throw new ApiError('invalid_body', `--${name} must be true or false`, name)
}

/** `never` clears the expiry; anything else goes to the schema's date check. */
export function expiryFlag(flags: Flags) {
  const value = flags.expires
  if (value === undefined) return undefined
  return value === 'never' ? null : value
}

export function printSite(site: SiteView) {
  const rows: [string, unknown][] = [
    ['host', site.host],
    ['status', site.status],
    ['max connections', site.maxConnections ?? 'default'],
    ['reloads per second', site.reloadsPerSecond ?? 'default'],
    ['expires', site.expiresAt ?? 'never'],
    ['created', site.createdAt],
    ['updated', site.updatedAt],
  ]
  for (const [name, value] of rows) console.log(`${name.padEnd(20)}${value}`)
}

export function printSettings(settings: Settings) {
  for (const [name, value] of Object.entries(settings)) console.log(`${name.padEnd(28)}${value}`)
}

/** Flags of the CLI by the API field they set, to word CLI errors in the CLI's own terms. */
const flagOfField: Record<string, string> = {
  maxConnections: '--max-connections',
  reloadsPerSecond: '--reloads-per-second',
  expiresAt: '--expires',
  apiKey: '--api-key',
  active: '--active',
  defaultSiteMaxConnections: '--default-site-max-connections',
  defaultReloadsPerSecond: '--default-reloads-per-second',
  freeMode: '--free-mode',
}

/** Rewords an API error for the CLI: `maxConnections must be …` becomes `--max-connections must be …`. */
export function cliMessage(error: ApiError): string {
  const flag = error.field === undefined ? undefined : flagOfField[error.field]
  if (!flag || !error.message.startsWith(error.field!)) return error.message
  return flag + error.message.slice(error.field!.length)
}
