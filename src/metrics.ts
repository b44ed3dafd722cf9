import client from 'prom-client'

/** Prometheus metrics of one server, in a registry of its own so several servers can share a process. */
export class Metrics {
  readonly registry = new client.Registry()
  private readonly admissions: client.Counter
  private readonly refusals: client.Counter<'code'>
  private readonly refreshRequests: client.Counter<'status'>
  private readonly framesPublished: client.Counter
  private readonly messagesSent: client.Counter
  private readonly publishSeconds: client.Histogram
  private readonly storeErrors: client.Counter<'operation'>

  constructor(read: { sockets(): number; hosts(): number; draining(): boolean }) {
    const registers = [this.registry]
    new client.Gauge({
      name: 'socketizer_sockets',
      help: 'Admitted visitor sockets by state',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset()
        this.set({ state: read.draining() ? 'draining' : 'open' }, read.sockets())
      },
    })
    new client.Gauge({
      name: 'socketizer_hosts_connected',
      help: 'Hosts with at least one socket',
      registers,
      collect() {
        this.set(read.hosts())
      },
    })
    this.admissions = new client.Counter({
      name: 'socketizer_admissions_total',
      help: 'Sockets admitted',
      registers,
    })
    this.refusals = new client.Counter({
      name: 'socketizer_refusals_total',
      help: 'Sockets refused, by close code',
      labelNames: ['code'],
      registers,
    })
    this.refreshRequests = new client.Counter({
      name: 'socketizer_refresh_requests_total',
      help: 'Refresh API requests, by HTTP status',
      labelNames: ['status'],
      registers,
    })
    this.framesPublished = new client.Counter({
      name: 'socketizer_frames_published_total',
      help: 'Frames published to a host topic',
      registers,
    })
    this.messagesSent = new client.Counter({
      name: 'socketizer_messages_sent_total',
      help: 'Frames delivered, counted once per socket',
      registers,
    })
    this.publishSeconds = new client.Histogram({
      name: 'socketizer_publish_seconds',
      help: 'Time to hand one frame to every socket of a host',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers,
    })
    this.storeErrors = new client.Counter({
      name: 'socketizer_store_errors_total',
      help: 'Failed store operations, by operation',
      labelNames: ['operation'],
      registers,
    })
    client.collectDefaultMetrics({ register: this.registry, prefix: 'socketizer_' })
  }

  admitted() {
    this.admissions.inc()
  }

  refused(code: number) {
    this.refusals.inc({ code: String(code) })
  }

  refreshAnswered(status: number) {
    this.refreshRequests.inc({ status: String(status) })
  }

  published(sockets: number, seconds: number) {
    this.framesPublished.inc()
    this.messagesSent.inc(sockets)
    this.publishSeconds.observe(seconds)
  }

  storeFailed(operation: string) {
    this.storeErrors.inc({ operation })
  }
}
