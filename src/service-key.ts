import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { keyMatches } from './keys'
import type { Logger } from './log'
import type { Registry } from './registry'

/**
 * Makes sure the admin API has a service key. A configured key replaces the stored hash. With
 * none configured or stored, a new key is written to `service-key` in the data directory,
 * readable by this user only, because a log line must never carry a secret.
 */
export async function ensureServiceKey(
  registry: Registry,
  configured: string | undefined,
  dataDir: string,
  log: Logger,
) {
  if (configured !== undefined) {
    const stored = registry.serviceKeyHash
    if (stored === null || !keyMatches(configured, stored))
      await registry.rotateServiceKey(configured)
    return
  }
  if (registry.serviceKeyHash !== null) return
  const key = await registry.rotateServiceKey()
  const path = join(dataDir, 'service-key')
  writeFileSync(path, `${key}\n`, { mode: 0o600 })
  log.warn(
    { path },
    'generated the admin API service key: read it from this file, then delete the file; "socketizer service-key rotate" prints a new one',
  )
}
