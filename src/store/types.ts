/** A registered WordPress site. */
export interface Site {
  host: string
  /** SHA-256 of the API key, hex; the key itself is never stored. */
  keyHash: string
  /** Concurrent socket limit; null means the service's default per-site limit. */
  maxConnections: number | null
  /** Page reloads per second the site's origin accepts, for the client's spread hint; null means the default. */
  reloadsPerSecond: number | null
  /** ISO 8601 instant after which the site is expired, or null for never. */
  expiresAt: string | null
  active: boolean
  createdAt: string
  updatedAt: string
}

/** Service-wide settings, changed at run time through the CLI or the admin API. */
export interface Settings {
  /** When false, new sockets are refused with 4503. */
  active: boolean
  /** Concurrent sockets over all hosts on this server. */
  maxConnections: number
  /** Concurrent socket limit of a site that has none of its own. */
  defaultSiteMaxConnections: number
  /** Reloads per second of a site that has no value of its own. */
  defaultReloadsPerSecond: number
  /** When true, every registered site counts as active whatever its expiry. */
  freeMode: boolean
}

export const defaultSettings: Settings = {
  active: true,
  maxConnections: 19_000,
  defaultSiteMaxConnections: 1_000,
  defaultReloadsPerSecond: 50,
  freeMode: false,
}

/** Per-site counters of one calendar month (UTC). */
export interface SiteStats {
  host: string
  month: string
  refreshes: number
  socketsServed: number
  peakSockets: number
}

/** Service-wide counters, kept across restarts. */
export interface Totals {
  socketsServed: number
  refreshRequests: number
  refreshFrames: number
  /** Refresh frames delivered, counted once per socket reached. */
  messagesSent: number
  peakSockets: number
  peakHosts: number
}

/** Counter changes since the last flush: sums are added, peaks are maxima. */
export interface StatsDelta {
  totals: Totals
  sites: SiteStats[]
}

/** Persistence of the registry and the counters. */
export interface Store {
  /** A number that changes whenever a site or a setting changes, in any process. */
  registryVersion(): Promise<number>
  listSites(): Promise<Site[]>
  getSite(host: string): Promise<Site | null>
  /** Inserts a site; returns false when the host is already registered. */
  insertSite(site: Site): Promise<boolean>
  /** Replaces a site's record; returns false when the host is not registered. */
  updateSite(site: Site): Promise<boolean>
  deleteSite(host: string): Promise<boolean>
  getSettings(): Promise<Settings>
  putSettings(settings: Settings): Promise<void>
  getMeta(key: string): Promise<string | null>
  /** Stores a value beside the registry; counts as a registry change. */
  putMeta(key: string, value: string): Promise<void>
  readTotals(): Promise<Totals>
  readSiteStats(host?: string): Promise<SiteStats[]>
  addStats(delta: StatsDelta): Promise<void>
  close(): Promise<void>
}
