import { Database } from 'bun:sqlite'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  defaultSettings,
  type Settings,
  type Site,
  type SiteStats,
  type StatsDelta,
  type Store,
  type Totals,
} from './types'

/** Schema versions in order; each runs once, in one transaction, and is never edited. */
const migrations: string[] = [
  `CREATE TABLE site (
     host TEXT PRIMARY KEY,
     key_hash TEXT NOT NULL,
     max_connections INTEGER,
     reloads_per_second INTEGER,
     expires_at TEXT,
     active INTEGER NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE setting (name TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE total (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
   CREATE TABLE site_stats (
     host TEXT NOT NULL,
     month TEXT NOT NULL,
     refreshes INTEGER NOT NULL,
     sockets_served INTEGER NOT NULL,
     peak_sockets INTEGER NOT NULL,
     PRIMARY KEY (host, month)
   );
   INSERT INTO meta VALUES ('registry_version', '0');`,
]

const totalNames: (keyof Totals)[] = [
  'socketsServed',
  'refreshRequests',
  'refreshFrames',
  'messagesSent',
  'peakSockets',
  'peakHosts',
]
const peakNames = new Set<keyof Totals>(['peakSockets', 'peakHosts'])

interface SiteRow {
  host: string
  key_hash: string
  max_connections: number | null
  reloads_per_second: number | null
  expires_at: string | null
  active: number
  created_at: string
  updated_at: string
}

const toSite = (row: SiteRow): Site => ({
  host: row.host,
  keyHash: row.key_hash,
  maxConnections: row.max_connections,
  reloadsPerSecond: row.reloads_per_second,
  expiresAt: row.expires_at,
  active: row.active === 1,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

const siteParams = (s: Site) => ({
  $host: s.host,
  $key_hash: s.keyHash,
  $max_connections: s.maxConnections,
  $reloads_per_second: s.reloadsPerSecond,
  $expires_at: s.expiresAt,
  $active: s.active ? 1 : 0,
  $created_at: s.createdAt,
  $updated_at: s.updatedAt,
})

/** The embedded store: one SQLite file in the data directory, in WAL mode. */
export class SqliteStore implements Store {
  readonly db: Database

  /**
   * Opens or creates the registry in `dataDir`. `busyTimeoutMs` is how long a statement waits for
   * another process's write lock, blocking this process, because bun:sqlite is synchronous.
   */
  constructor(dataDir: string, busyTimeoutMs = 5000) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
    this.db = new Database(join(dataDir, 'socketizer.sqlite'), { create: true, strict: true })
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA busy_timeout = ${Math.floor(busyTimeoutMs)}`)
    this.db.exec('PRAGMA synchronous = NORMAL')
    this.migrate()
  }

  private migrate() {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY)')
    const row = this.db.query('SELECT max(version) AS v FROM schema_migration').get() as {
      v: number | null
    }
    if ((row.v ?? 0) > migrations.length) {
      throw new Error(
        `the registry's schema version ${row.v} is newer than this binary's ${migrations.length}; run the newer socketizer, or restore a backup of the data directory`,
      )
    }
    for (let version = (row.v ?? 0) + 1; version <= migrations.length; version++) {
      this.db
        .transaction(() => {
          this.db.exec(migrations[version - 1]!)
          this.db.query('INSERT INTO schema_migration VALUES (?)').run(version)
        })
        .immediate()
    }
  }

  private bumpVersion() {
    this.db
      .query("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'registry_version'")
      .run()
  }

  async registryVersion() {
    return Number(await this.getMeta('registry_version'))
  }

  async listSites() {
    return (this.db.query('SELECT * FROM site ORDER BY host').all() as SiteRow[]).map(toSite)
  }

  async getSite(host: string) {
    const row = this.db.query('SELECT * FROM site WHERE host = ?').get(host) as SiteRow | null
    return row ? toSite(row) : null
  }

  async insertSite(site: Site) {
    return this.db
      .transaction(() => {
        const result = this.db
          .query(
            `INSERT INTO site VALUES ($host, $key_hash, $max_connections, $reloads_per_second,
             $expires_at, $active, $created_at, $updated_at) ON CONFLICT (host) DO NOTHING`,
          )
          .run(siteParams(site))
        if (result.changes === 1) this.bumpVersion()
        return result.changes === 1
      })
      .immediate()
  }

  async updateSite(site: Site) {
    return this.db
      .transaction(() => {
        const result = this.db
          .query(
            `UPDATE site SET key_hash = $key_hash, max_connections = $max_connections,
             reloads_per_second = $reloads_per_second, expires_at = $expires_at, active = $active,
             created_at = $created_at, updated_at = $updated_at WHERE host = $host`,
          )
          .run(siteParams(site))
        if (result.changes === 1) this.bumpVersion()
        return result.changes === 1
      })
      .immediate()
  }

  async deleteSite(host: string) {
    return this.db
      .transaction(() => {
        const result = this.db.query('DELETE FROM site WHERE host = ?').run(host)
        if (result.changes === 1) this.bumpVersion()
        return result.changes === 1
      })
      .immediate()
  }

  async getSettings(): Promise<Settings> {
    const rows = this.db.query('SELECT name, value FROM setting').all() as {
      name: string
      value: string
    }[]
    const stored = Object.fromEntries(rows.map((r) => [r.name, JSON.parse(r.value)]))
    return { ...defaultSettings, ...stored }
  }

  async putSettings(settings: Settings) {
    const put = this.db.query(
      'INSERT INTO setting VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    )
    this.db
      .transaction(() => {
        for (const [name, value] of Object.entries(settings)) put.run(name, JSON.stringify(value))
        this.bumpVersion()
      })
      .immediate()
  }

  async getMeta(name: string) {
    const row = this.db.query('SELECT value FROM meta WHERE name = ?').get(name) as {
      value: string
    } | null
    return row?.value ?? null
  }

  async putMeta(name: string, value: string) {
    this.db
      .transaction(() => {
        this.db
          .query(
            'INSERT INTO meta VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
          )
          .run(name, value)
        this.bumpVersion()
      })
      .immediate()
  }

  async readTotals(): Promise<Totals> {
    const rows = this.db.query('SELECT name, value FROM total').all() as {
      name: keyof Totals
      value: number
    }[]
    const totals = Object.fromEntries(totalNames.map((n) => [n, 0])) as unknown as Totals
    for (const row of rows) if (totalNames.includes(row.name)) totals[row.name] = row.value
    return totals
  }

  async readSiteStats(host?: string): Promise<SiteStats[]> {
    const sql = `SELECT host, month, refreshes, sockets_served AS socketsServed,
      peak_sockets AS peakSockets FROM site_stats`
    return host === undefined
      ? (this.db.query(`${sql} ORDER BY host, month`).all() as SiteStats[])
      : (this.db.query(`${sql} WHERE host = ? ORDER BY month`).all(host) as SiteStats[])
  }

  async addStats(delta: StatsDelta) {
    const addTotal = this.db.query(
      `INSERT INTO total VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = value + ?2`,
    )
    const maxTotal = this.db.query(
      `INSERT INTO total VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = max(value, ?2)`,
    )
    const addSite = this.db.query(
      `INSERT INTO site_stats VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (host, month) DO UPDATE SET
         refreshes = refreshes + ?3, sockets_served = sockets_served + ?4,
         peak_sockets = max(peak_sockets, ?5)`,
    )
    this.db
      .transaction(() => {
        for (const name of totalNames) {
          const value = delta.totals[name]
          if (value !== 0) (peakNames.has(name) ? maxTotal : addTotal).run(name, value)
        }
        for (const s of delta.sites) {
          addSite.run(s.host, s.month, s.refreshes, s.socketsServed, s.peakSockets)
        }
      })
      .immediate()
  }

  async close() {
    this.db.close()
  }
}
