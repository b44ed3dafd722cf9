import { CloseCode } from './close-codes'
import { connectFrame, refreshData, refreshFrame, type RefreshFields } from './frames'
import type { Registry } from './registry'
import type { Stats } from './stats'

/** Delivers an encoded frame to every socket subscribed to a host on this node. */
export interface Fanout {
  publish(host: string, frame: string): void
}

interface HostState {
  sockets: number
  /** Latest refresh sequence number: strictly increasing, at least the time in ms it was taken. */
  seq: number
  last?: RefreshFields
  /** Sequence number of the last frame sent, and that frame's Data as a JSON string literal. */
  sentSeq: number
  sentLiteral: string
  /** Until when (ms) a further refresh is merged into one trailing frame. */
  windowEnd: number
  pending: boolean
  timer?: ReturnType<typeof setTimeout>
}

/** Receives the time each publish took, for the publish latency metric. */
export interface PublishObserver {
  published(sockets: number, seconds: number): void
}

export type Admission = { ok: true } | { ok: false; code: CloseCode }

export interface RefreshResult {
  sockets: number
  seq: number
  /** True when the frame waits for the end of the host's coalescing window. */
  coalesced: boolean
}

/**
 * Admission, socket counts and refresh fan-out, kept apart from sockets: the WebSocket route calls
 * `admit` and `release`, and frames leave through a Fanout.
 */
export class Hub {
  private hosts = new Map<string, HostState>()
  /** Sockets admitted and not yet released. */
  sockets = 0
  /** Hosts with at least one socket. */
  activeHosts = 0
  draining = false

  constructor(
    private readonly registry: Registry,
    private readonly stats: Stats,
    private readonly fanout: Fanout,
    private readonly coalesceWindowMs: number,
    private readonly observer?: PublishObserver,
  ) {}

  private state(host: string): HostState {
    let state = this.hosts.get(host)
    if (!state) {
      state = { sockets: 0, seq: 0, sentSeq: 0, sentLiteral: '""', windowEnd: 0, pending: false }
      this.hosts.set(host, state)
    }
    return state
  }

  /** Admits a socket for a canonical host, counting it on success. */
  admit(host: string): Admission {
    if (this.draining) return { ok: false, code: CloseCode.goingAway }
    const { settings } = this.registry
    if (!settings.active) return { ok: false, code: CloseCode.serviceUnavailable }
    const site = this.registry.cached(host)
    if (!site || !this.registry.isAllowed(site))
      return { ok: false, code: CloseCode.hostNotAllowed }
    const state = this.state(host)
    if (state.sockets >= this.registry.siteLimit(site)) {
      return { ok: false, code: CloseCode.hostLimitReached }
    }
    if (this.sockets >= settings.maxConnections) {
      return { ok: false, code: CloseCode.serviceUnavailable }
    }
    if (state.sockets++ === 0) this.activeHosts++
    this.sockets++
    this.stats.socketOpened(host, state.sockets, this.sockets, this.activeHosts)
    return { ok: true }
  }

  release(host: string) {
    const state = this.hosts.get(host)
    if (!state || state.sockets === 0) return
    this.sockets--
    if (--state.sockets > 0) return
    this.activeHosts--
    if (!state.last) this.hosts.delete(host)
  }

  socketsOf(host: string): number {
    return this.hosts.get(host)?.sockets ?? 0
  }

  connectFrame(host: string, id: string): string {
    const state = this.hosts.get(host)
    return connectFrame(id, state?.sentSeq ?? 0, state?.sentLiteral ?? '""')
  }

  /**
   * Sends a refresh to a host's sockets: at once when no frame went out within the coalescing
   * window, else as one trailing frame at the window's end carrying the latest fields.
   */
  refresh(fields: RefreshFields): RefreshResult {
    const state = this.state(fields.host)
    state.seq = Math.max(state.seq + 1, Date.now())
    state.last = fields
    this.stats.refreshAccepted(fields.host)
    const now = Date.now()
    if (this.coalesceWindowMs === 0 || now >= state.windowEnd) {
      this.send(fields.host, state, now)
      return { sockets: state.sockets, seq: state.seq, coalesced: false }
    }
    state.pending = true
    state.timer ??= setTimeout(() => this.flushWindow(fields.host), state.windowEnd - now)
    return { sockets: state.sockets, seq: state.seq, coalesced: true }
  }

  private flushWindow(host: string) {
    const state = this.hosts.get(host)
    if (!state) return
    state.timer = undefined
    if (!state.pending) return
    state.pending = false
    this.send(host, state, Date.now())
  }

  private send(host: string, state: HostState, now: number) {
    state.windowEnd = now + this.coalesceWindowMs
    const site = this.registry.cached(host)
    const rate = site ? this.registry.reloadsPerSecond(site) : 1
    const spreadMs = Math.ceil((state.sockets / rate) * 1000)
    const data = refreshData(state.last!, state.seq, spreadMs)
    const frame = refreshFrame(data)
    // A socket that connects later gets this refresh, spread hint included, in its connect frame.
    state.sentSeq = state.seq
    state.sentLiteral = JSON.stringify(JSON.stringify(data))
    const start = performance.now()
    this.fanout.publish(host, frame)
    this.observer?.published(state.sockets, (performance.now() - start) / 1000)
    this.stats.framePublished(state.sockets)
  }

  /** Sends every trailing frame now, as a shutdown does before closing sockets. */
  flushAll() {
    for (const [host, state] of this.hosts) {
      if (state.timer) clearTimeout(state.timer)
      this.flushWindow(host)
    }
  }

  /** Sends an operator's frame to one host's sockets, or to every host's; returns sockets reached. */
  broadcast(frame: string, host?: string): number {
    if (host !== undefined) {
      this.fanout.publish(host, frame)
      return this.socketsOf(host)
    }
    for (const { host: each } of this.pool()) this.fanout.publish(each, frame)
    return this.sockets
  }

  /** Hosts with sockets on this node and their socket counts. */
  pool(): { host: string; sockets: number }[] {
    const pool: { host: string; sockets: number }[] = []
    for (const [host, state] of this.hosts)
      if (state.sockets > 0) pool.push({ host, sockets: state.sockets })
    return pool.sort((a, b) => a.host.localeCompare(b.host))
  }
}
