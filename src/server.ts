import { createApp } from './app'
import { CloseCode, closeReason } from './close-codes'
import type { ServeConfig } from './config'
import type { Logger } from './log'
import { Service } from './service'
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
  const store = new SqliteStore(config.dataDir)
  let server: ReturnType<typeof Bun.serve> | undefined
  const service = new Service(config, store, log, {
    publish: (host, frame) => server?.publish(host, frame),
  })
  await service.load()
  const app = createApp(service)
  app.listen({
    hostname: config.listen.hostname,
    port: config.listen.port,
    // Handlers reject bodies over maxBodyBytes with a JSON 413; this backstop stops a chunked
    // body with no Content-Length from being buffered without bound.
    maxRequestBodySize: config.maxBodyBytes * 2 + 4096,
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
      service.hub.draining = true
      for (const timer of timers) clearInterval(timer)
      service.hub.flushAll()
      if (!(await closeAll(service, config.shutdownTimeoutMs))) {
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

function startTimers(service: Service, config: ServeConfig, log: Logger) {
  const flush = setInterval(() => {
    service.stats.flush().catch((err) => log.error({ err }, 'stats flush failed'))
  }, config.statsFlushMs)
  const refresh = setInterval(() => {
    service.refreshRegistry().catch((err) => log.error({ err }, 'registry refresh failed'))
  }, config.registryRefreshMs)
  return [flush, refresh]
}

/** Closes every socket with 1001; resolves true once all closed, false at the timeout. */
async function closeAll(service: Service, timeoutMs: number): Promise<boolean> {
  for (const ws of service.sockets) ws.close(CloseCode.goingAway, closeReason[CloseCode.goingAway])
  const deadline = Date.now() + timeoutMs
  while (service.sockets.size > 0 && Date.now() < deadline) await Bun.sleep(20)
  return service.sockets.size === 0
}
