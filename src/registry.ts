import * as v from 'valibot'
import { ApiError } from './errors'
import { canonicalHost } from './host'
import { generateKey, hashKey } from './keys'
import { SettingsPatch, SiteCreate, SitePatch } from './schemas'
import type { Settings, Site, Store } from './store/types'

const serviceKeyName = 'service_key_hash'

/** What the API and the CLI show of a site: everything but the key hash. */
export type SiteView = Omit<Site, 'keyHash'> & { status: 'active' | 'inactive' | 'expired' }

/**
 * Parses a request body with an object schema, turning the first issue into an invalid_body error
 * that names the field.
 */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ApiError('invalid_body', 'request body must be a JSON object')
  }
  const result = v.safeParse(schema, input)
  if (result.success) return result.output
  const issue = result.issues[0]
  const field = v.getDotPath(issue) ?? undefined
  if (field === undefined) throw new ApiError('invalid_body', issue.message)
  if (issue.type === 'strict_object' && issue.input !== undefined) {
    throw new ApiError('invalid_body', `${field} is not a known field; remove it`, field)
  }
  const missing = issue.kind === 'schema' && issue.type === 'object' && issue.input === undefined
  const message = missing
    ? 'is required'
    : issue.message.replace(/^Invalid type: /, 'has the wrong type: ')
  throw new ApiError('invalid_body', `${field} ${message}`, field)
}

/** Drops keys whose value is undefined, so a patch changes only what it names. */
const defined = <T extends object>(patch: T): Partial<T> =>
  Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>

/** Canonicalises a host or throws invalid_host. */
export function requireHost(input: string, field = 'host'): string {
  const result = canonicalHost(input)
  if (!result.ok) throw new ApiError('invalid_host', `${field}: ${result.reason}`, field)
  return result.host
}

/**
 * The site registry: the store's sites and settings, cached in memory so that admitting a socket
 * or checking a refresh key never waits on the store. Every change made here updates the cache at
 * once; changes made by another process show after `refresh()`.
 */
export class Registry {
  private sites = new Map<string, Site>()
  private version = -1
  settings!: Settings
  /** Hash of the admin API's service key, or null before the first start. */
  serviceKeyHash: string | null = null

  constructor(readonly store: Store) {}

  /** Reloads sites and settings when another process changed them; returns true if it did. */
  async refresh(): Promise<boolean> {
    const version = await this.store.registryVersion()
    if (version === this.version) return false
    const [sites, settings, keyHash] = await Promise.all([
      this.store.listSites(),
      this.store.getSettings(),
      this.store.getMeta(serviceKeyName),
    ])
    this.sites = new Map(sites.map((s) => [s.host, s]))
    this.settings = settings
    this.serviceKeyHash = keyHash
    this.version = version
    return true
  }

  cached(host: string): Site | undefined {
    return this.sites.get(host)
  }

  /** Tells whether a site may receive sockets and refreshes now. */
  isAllowed(site: Site, now = Date.now()): boolean {
    return this.status(site, now) === 'active'
  }

  status(site: Site, now = Date.now()): SiteView['status'] {
    if (!site.active) return 'inactive'
    if (this.settings.freeMode || site.expiresAt === null) return 'active'
    return Date.parse(site.expiresAt) > now ? 'active' : 'expired'
  }

  siteLimit(site: Site): number {
    return site.maxConnections ?? this.settings.defaultSiteMaxConnections
  }

  reloadsPerSecond(site: Site): number {
    return site.reloadsPerSecond ?? this.settings.defaultReloadsPerSecond
  }

  view(site: Site): SiteView {
    const { keyHash: _, ...rest } = site
    return { ...rest, status: this.status(site) }
  }

  async addSite(input: unknown): Promise<{ site: SiteView; apiKey: string }> {
    const data = parseInput(SiteCreate, input)
    const host = requireHost(data.host)
    const apiKey = data.apiKey ?? generateKey()
    const now = new Date().toISOString()
    const site: Site = {
      host,
      keyHash: hashKey(apiKey),
      maxConnections: data.maxConnections ?? null,
      reloadsPerSecond: data.reloadsPerSecond ?? null,
      expiresAt: data.expiresAt ?? null,
      active: data.active ?? true,
      createdAt: now,
      updatedAt: now,
    }
    if (!(await this.store.insertSite(site))) {
      throw new ApiError('conflict', `site ${host} is already registered`, 'host')
    }
    this.sites.set(host, site)
    return { site: this.view(site), apiKey }
  }

  async getSite(hostInput: string): Promise<Site> {
    const host = requireHost(hostInput)
    const site = await this.store.getSite(host)
    if (!site) throw new ApiError('not_found', `site ${host} is not registered`, 'host')
    return site
  }

  async updateSite(hostInput: string, input: unknown): Promise<SiteView> {
    const patch = defined(parseInput(SitePatch, input))
    const site = await this.getSite(hostInput)
    const updated: Site = { ...site, ...patch, updatedAt: new Date().toISOString() }
    await this.save(updated)
    return this.view(updated)
  }

  async rotateKey(hostInput: string): Promise<{ site: SiteView; apiKey: string }> {
    const site = await this.getSite(hostInput)
    const apiKey = generateKey()
    const updated = { ...site, keyHash: hashKey(apiKey), updatedAt: new Date().toISOString() }
    await this.save(updated)
    return { site: this.view(updated), apiKey }
  }

  async removeSite(hostInput: string): Promise<void> {
    const host = requireHost(hostInput)
    if (!(await this.store.deleteSite(host))) {
      throw new ApiError('not_found', `site ${host} is not registered`, 'host')
    }
    this.sites.delete(host)
  }

  async listSites(offset = 0, limit = 100): Promise<{ total: number; sites: SiteView[] }> {
    const all = await this.store.listSites()
    return { total: all.length, sites: all.slice(offset, offset + limit).map((s) => this.view(s)) }
  }

  async updateSettings(input: unknown): Promise<Settings> {
    const patch = defined(parseInput(SettingsPatch, input))
    const settings = { ...(await this.store.getSettings()), ...patch }
    await this.store.putSettings(settings)
    this.settings = settings
    return settings
  }

  /** Replaces the service key with a new random one and returns it; only its hash is stored. */
  async rotateServiceKey(key = generateKey()): Promise<string> {
    const keyHash = hashKey(key)
    await this.store.putMeta(serviceKeyName, keyHash)
    this.serviceKeyHash = keyHash
    return key
  }

  private async save(site: Site) {
    if (!(await this.store.updateSite(site))) {
      throw new ApiError('not_found', `site ${site.host} is not registered`, 'host')
    }
    this.sites.set(site.host, site)
  }
}
