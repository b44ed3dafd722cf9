import { createApp } from './app'
import type { ServeConfig } from './config'
import { rateLimited, type Logger } from './log'
import { Service } from './service'
import { ensureServiceKey } from './service-key'
import { SqliteStore } from './store/sqlite'

/** A running server: its address and a way to stop it as SIGTERM does. */
export interface RunningServer {
  service: Service
  port: number
  url: string
  stop(): Promise<void>
}

/** Opens the store, loads the registry and listens. */
export async function startServer(config: ServeConfig, log: Logger): Promise<RunningServer> {
  const store = new SqliteStore(config.dataDir, config.storeBusyTimeoutMs)
  let server: ReturnType<typeof Bun.serve> | undefined
  const service = new Service(config, store, log, {
    publish: (host, frame) => server?.publish(host, frame),
  })
  await service.load()
  await ensureServiceKey(service.registry, config.serviceKey, config.dataDir, log)
  const app = createApp(service)
  app.listen({
    hostname: config.listen.hostname,
    port: config.listen.port,
    // Handlers read bodies as streams and answer a JSON 413 past --max-body-bytes, so Bun's own
    // limit, which answers a bare 413, is set out of the way.
    maxRequestBodySize: 1 << 30,
    // Bun's development mode renders errors as a page of source code.
    development: false,
    // Two servers on one port would split the sockets of a host between them.
    reusePort: false,
    ...(config.tlsCert && config.tlsKey
      ? { tls: { cert: Bun.file(config.tlsCert), key: Bun.file(config.tlsKey) } }
      : {}),
  })
  server = app.server!
  const timers = startTimers(service, config, log)
  const scheme = config.tlsCert ? 'https' : 'http'
  const url = `${scheme}://${formatHost(config.listen.hostname)}:${server.port}`
  log.info({ url }, 'listening')

  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      for (const timer of timers) clearInterval(timer)
      if (!(await service.drain(config.shutdownTimeoutMs))) {
        log.warn({ sockets: service.sockets.size }, 'sockets still open at shutdown timeout')
      }
      await server!.stop(true)
      await service.stats.flush().catch((err) => log.error({ err }, 'stats flush failed'))
      await store.close()
      log.info({}, 'stopped')
    })())
  return { service, port: server.port!, url, stop }
}

const formatHost = (hostname: string) => (hostname.includes(':') ? `[${hostname}]` : hostname)

/** Starts the stats flush and the registry refresh; failures are counted and logged at most every 10 s. */
function startTimers(service: Service, config: ServeConfig, log: Logger) {
  const limit = rateLimited(10_000)
  const failed = (operation: string) => (err: unknown) => {
    service.metrics.storeFailed(operation)
    limit(operation, (suppressed) =>
      log.error({ err, operation, suppressed }, 'store operation failed'),
    )
  }
  const flush = setInterval(
    () => service.stats.flush().catch(failed('stats flush')),
    config.statsFlushMs,
  )
  // Each tick also closes the sockets of sites removed, deactivated or expired since.
  const refresh = setInterval(
    () =>
      service
        .refreshRegistry()
        .then(() => service.closeDisallowed())
        .catch(failed('registry refresh')),
    config.registryRefreshMs,
  )
  return [flush, refresh]
}
