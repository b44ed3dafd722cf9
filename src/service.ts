import type { ServerWebSocket } from 'bun'
import { CloseCode, closeReason } from './close-codes'
import type { ServeConfig } from './config'
import { Hub, type Fanout } from './hub'
import { Metrics } from './metrics'
import type { Logger } from './log'
import { Registry } from './registry'
import { Stats } from './stats'
import type { Store } from './store/types'

/** Everything a request handler needs, created once per server. */
export class Service {
  readonly registry: Registry
  readonly stats: Stats
  readonly hub: Hub
  readonly metrics: Metrics
  /** Admitted sockets, so that a shutdown can close each with 1001. */
  readonly sockets = new Set<ServerWebSocket<unknown>>()
  private inflightRefresh: Promise<boolean> | null = null
  private connectionCount = 0
  private readonly idPrefix = Math.random().toString(36).slice(2, 8)

  constructor(
    readonly config: ServeConfig,
    readonly store: Store,
    readonly log: Logger,
    fanout: Fanout,
  ) {
    this.registry = new Registry(store)
    this.stats = new Stats(store)
    this.metrics = new Metrics({
      sockets: () => this.hub.sockets,
      hosts: () => this.hub.activeHosts,
      draining: () => this.hub.draining,
    })
    this.hub = new Hub(this.registry, this.stats, fanout, config.coalesceWindowMs, this.metrics)
  }

  async load() {
    await this.registry.refresh()
    await this.stats.load()
  }

  /** Reloads the registry if another process changed it; concurrent callers share one check. */
  refreshRegistry(): Promise<boolean> {
    this.inflightRefresh ??= this.registry.refresh().finally(() => {
      this.inflightRefresh = null
    })
    return this.inflightRefresh
  }

  /**
   * Stops admitting sockets, sends pending trailing frames, and closes every socket with 1001 so
   * that clients reconnect elsewhere. Resolves true once all closed, false at the timeout.
   */
  async drain(timeoutMs: number, reason = closeReason[CloseCode.goingAway]): Promise<boolean> {
    this.hub.draining = true
    this.hub.flushAll()
    for (const ws of this.sockets) ws.close(CloseCode.goingAway, reason)
    const deadline = Date.now() + timeoutMs
    while (this.sockets.size > 0 && Date.now() < deadline) await Bun.sleep(20)
    return this.sockets.size === 0
  }

  /**
   * Closes with 4403 the sockets of hosts that are no longer registered, active and unexpired,
   * as admission would refuse them now. Returns the number of sockets closed.
   */
  closeDisallowed(): number {
    const { registry, hub } = this
    const hosts = new Set<string>()
    for (const host of hub.hostsWithSockets()) {
      const site = registry.cached(host)
      if (!site || !registry.isAllowed(site)) hosts.add(host)
    }
    if (hosts.size === 0) return 0
    let closed = 0
    for (const ws of this.sockets) {
      const host = (ws.data as { host: string | null }).host
      if (host === null || !hosts.has(host)) continue
      ws.close(CloseCode.hostNotAllowed, closeReason[CloseCode.hostNotAllowed])
      closed++
    }
    this.log.info({ hosts: [...hosts], sockets: closed }, 'closed sockets of disallowed sites')
    return closed
  }

  /** Returns a connection id unique to this process: a random prefix and a counter. */
  nextConnectionId(): string {
    return `${this.idPrefix}-${(++this.connectionCount).toString(36)}`
  }
}
