import type { SiteStats, StatsDelta, Store, Totals } from './store/types'

const zeroTotals = (): Totals => ({
  socketsServed: 0,
  refreshRequests: 0,
  refreshFrames: 0,
  messagesSent: 0,
  peakSockets: 0,
  peakHosts: 0,
})

// The current month and its bounds in epoch ms, cached because every socket and refresh reads it.
const month = { name: '', start: 0, end: 0 }

/** Returns the current UTC month as YYYY-MM. */
function currentMonth(): string {
  const now = Date.now()
  if (now < month.start || now >= month.end) {
    const date = new Date(now)
    month.name = date.toISOString().slice(0, 7)
    month.start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth())
    month.end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1)
  }
  return month.name
}

/**
 * Counters kept in memory on the hot path and added to the store in batches by `flush()`. A
 * failed flush keeps its delta and merges it into the next one, so no count is lost while the
 * process lives.
 */
export class Stats {
  private pending = zeroTotals()
  private pendingSites = new Map<string, SiteStats>()
  /** Totals as of the last load plus everything counted since. */
  readonly totals = zeroTotals()

  constructor(private readonly store: Store) {}

  async load() {
    Object.assign(this.totals, await this.store.readTotals())
  }

  private site(host: string): SiteStats {
    const month = currentMonth()
    let entry = this.pendingSites.get(host)
    if (!entry || entry.month !== month) {
      if (entry) this.pendingSites.set(`${host}\n${entry.month}`, entry)
      entry = { host, month, refreshes: 0, socketsServed: 0, peakSockets: 0 }
      this.pendingSites.set(host, entry)
    }
    return entry
  }

  socketOpened(host: string, hostSockets: number, sockets: number, hosts: number) {
    this.pending.socketsServed++
    this.totals.socketsServed++
    const site = this.site(host)
    site.socketsServed++
    if (hostSockets > site.peakSockets) site.peakSockets = hostSockets
    if (sockets > this.totals.peakSockets)
      this.totals.peakSockets = this.pending.peakSockets = sockets
    if (hosts > this.totals.peakHosts) this.totals.peakHosts = this.pending.peakHosts = hosts
  }

  refreshAccepted(host: string) {
    this.pending.refreshRequests++
    this.totals.refreshRequests++
    this.site(host).refreshes++
  }

  framePublished(sockets: number) {
    this.pending.refreshFrames++
    this.totals.refreshFrames++
    this.pending.messagesSent += sockets
    this.totals.messagesSent += sockets
  }

  /** Counts an operator's notice delivered to `sockets` sockets. */
  noticeSent(sockets: number) {
    this.pending.messagesSent += sockets
    this.totals.messagesSent += sockets
  }

  /** Writes what was counted since the last flush. */
  async flush() {
    const delta: StatsDelta = { totals: this.pending, sites: [...this.pendingSites.values()] }
    const empty =
      delta.sites.length === 0 && Object.values(delta.totals).every((value) => value === 0)
    if (empty) return
    this.pending = zeroTotals()
    this.pendingSites = new Map()
    try {
      await this.store.addStats(delta)
    } catch (error) {
      this.merge(delta)
      throw error
    }
  }

  private merge(delta: StatsDelta) {
    for (const [name, value] of Object.entries(delta.totals) as [keyof Totals, number][]) {
      const peak = name === 'peakSockets' || name === 'peakHosts'
      this.pending[name] = peak ? Math.max(this.pending[name], value) : this.pending[name] + value
    }
    for (const old of delta.sites) {
      const key = old.month === currentMonth() ? old.host : `${old.host}\n${old.month}`
      const entry = this.pendingSites.get(key)
      if (!entry) {
        this.pendingSites.set(key, old)
        continue
      }
      entry.refreshes += old.refreshes
      entry.socketsServed += old.socketsServed
      entry.peakSockets = Math.max(entry.peakSockets, old.peakSockets)
    }
  }
}

/** The counters as the CLI and the admin API show them: service totals and per-site months. */
export async function readStatsReport(store: Store) {
  const [totals, sites] = await Promise.all([store.readTotals(), store.readSiteStats()])
  return { totals, sites }
}
