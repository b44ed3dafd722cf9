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
  /** Refreshes merged into the pending trailing frame, by kind and URL, besides `last`. */
  merged: Map<string, RefreshFields>
  /** Most sockets the host has had at once on this node. */
  peak: number
  /** Sequence number and Data of the last frame sent, replayed in connect frames. */
  sentSeq: number
  sentData?: ReturnType<typeof refreshData>
  /** `sentData` with the spread hint of a replay, as a JSON string literal, and that spread. */
  replayLiteral: string
  replaySpread: number
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
      state = {
        sockets: 0,
        seq: 0,
        merged: new Map(),
        peak: 0,
        sentSeq: 0,
        replayLiteral: '""',
        replaySpread: -1,
        windowEnd: 0,
        pending: false,
      }
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
    if (state.sockets > state.peak) state.peak = state.sockets
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
    // A registered host keeps its peak for replay spreads; others are forgotten to bound memory.
    if (!state.last && !this.registry.cached(host)) this.hosts.delete(host)
  }

  socketsOf(host: string): number {
    return this.hosts.get(host)?.sockets ?? 0
  }

  connectFrame(host: string, id: string): string {
    const state = this.hosts.get(host)
    if (!state?.sentData) return connectFrame(id, 0, '""')
    // The pages that replay a missed refresh are those that were away, up to the host's peak,
    // so the replay's spread hint counts them rather than the sockets of the moment it was sent.
    const spread = this.spreadMs(host, Math.max(state.peak, state.sockets))
    if (spread !== state.replaySpread) {
      const data = { ...state.sentData, spread: String(spread) }
      state.replayLiteral = JSON.stringify(JSON.stringify(data))
      state.replaySpread = spread
    }
    return connectFrame(id, state.sentSeq, state.replayLiteral)
  }

  /**
   * Sends a refresh to a host's sockets: at once when no frame went out within the coalescing
   * window, else as one trailing frame at the window's end carrying the latest fields.
   */
  refresh(fields: RefreshFields): RefreshResult {
    const state = this.state(fields.host)
    state.seq = Math.max(state.seq + 1, Date.now())
    if (state.pending && state.last) mergeRefresh(state, state.last)
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
    const data = refreshData(state.last!, state.seq, this.spreadMs(host, state.sockets))
    const also = mergedList(state, state.last!)
    if (also) data.also = also
    const frame = refreshFrame(data)
    // A socket that connects later gets this refresh in its connect frame.
    state.sentSeq = state.seq
    state.sentData = data
    state.replaySpread = -1
    const start = performance.now()
    this.fanout.publish(host, frame)
    this.observer?.published(state.sockets, (performance.now() - start) / 1000)
    this.stats.framePublished(state.sockets)
  }

  /** Returns the reload spread hint in ms: the time `sockets` reloads take at the site's rate. */
  private spreadMs(host: string, sockets: number): number {
    const site = this.registry.cached(host)
    const rate = site ? this.registry.reloadsPerSecond(site) : 1
    return Math.ceil((sockets / rate) * 1000)
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
    const hosts = host === undefined ? [...this.hostsWithSockets()] : [host]
    let sockets = 0
    const start = performance.now()
    for (const each of hosts) {
      this.fanout.publish(each, frame)
      sockets += this.socketsOf(each)
    }
    this.observer?.published(sockets, (performance.now() - start) / 1000)
    this.stats.noticeSent(sockets)
    return sockets
  }

  /** Hosts with at least one socket on this node, unordered. */
  *hostsWithSockets(): Generator<string> {
    for (const [host, state] of this.hosts) if (state.sockets > 0) yield host
  }

  /** Hosts with sockets on this node and their socket counts. */
  pool(): { host: string; sockets: number }[] {
    const pool: { host: string; sockets: number }[] = []
    for (const [host, state] of this.hosts)
      if (state.sockets > 0) pool.push({ host, sockets: state.sockets })
    return pool.sort((a, b) => a.host.localeCompare(b.host))
  }
}

/** Most distinct refreshes one trailing frame lists in `also`; past it, `also` is "*". */
export const maxMergedRefreshes = 20

const refreshKey = (fields: RefreshFields) => `${fields.what}\n${fields.postUrl}\n${fields.postId}`

function mergeRefresh(state: HostState, fields: RefreshFields) {
  if (state.merged.size <= maxMergedRefreshes) state.merged.set(refreshKey(fields), fields)
}

/**
 * Lists, as a JSON string, the refreshes merged into a trailing frame other than its own fields,
 * so that pages concerned by any of them update. Returns "*" (every page) past the cap, and
 * undefined when nothing else was merged.
 */
function mergedList(state: HostState, last: RefreshFields): string | undefined {
  state.merged.delete(refreshKey(last))
  if (state.merged.size === 0) return undefined
  const list =
    state.merged.size > maxMergedRefreshes
      ? '*'
      : JSON.stringify([...state.merged.values()].map(({ host: _, ...rest }) => rest))
  state.merged.clear()
  return list
}
