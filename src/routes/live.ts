import { Elysia } from 'elysia'
import type { Server, ServerWebSocket } from 'bun'
import { CloseCode, closeReason } from '../close-codes'
import { canonicalHost } from '../host'
import { rateLimited } from '../log'
import type { Service } from '../service'

export const livePrefix = '/service/wordpress/live/'

const logRefusal = rateLimited(10_000)

/**
 * One visitor's socket. Bun calls these methods through Elysia's WebSocket dispatcher; keeping
 * them on a prototype and the state in four fields makes an idle socket cheap.
 */
export class VisitorSocket {
  admitted = false

  constructor(
    private readonly service: Service,
    readonly host: string | null,
    readonly id: string,
  ) {}

  open(ws: ServerWebSocket<VisitorSocket>) {
    const { hub, log } = this.service
    if (this.host === null) return this.refuse(ws, CloseCode.invalidHost)
    const admission = hub.admit(this.host)
    if (!admission.ok) return this.refuse(ws, admission.code)
    this.admitted = true
    this.service.metrics.admitted()
    this.service.sockets.add(ws)
    ws.subscribe(this.host)
    ws.send(hub.connectFrame(this.host, this.id))
    if (log.isLevelEnabled('info')) log.info({ host: this.host, conn: this.id }, 'socket connected')
  }

  private refuse(ws: ServerWebSocket<VisitorSocket>, code: CloseCode) {
    const { metrics, log } = this.service
    metrics.refused(code)
    // A site at its limit can see thousands of retries a minute, so one line per host and code
    // every 10 s, with the number of lines left out, is enough to act on. Hosts that are not
    // registered come from clients, so they share one line per code.
    const key = code === CloseCode.hostLimitReached ? `${this.host}\n${code}` : String(code)
    logRefusal(key, (suppressed) =>
      log.info({ host: this.host, conn: this.id, code, suppressed }, 'socket refused'),
    )
    ws.close(code, closeReason[code])
  }

  /** Visitors send nothing that matters; frames over the size limit are closed by Bun with 1009. */
  message() {}

  close(ws: ServerWebSocket<VisitorSocket>, code: number) {
    if (!this.admitted) return
    this.admitted = false
    this.service.sockets.delete(ws)
    this.service.hub.release(this.host!)
    const { log } = this.service
    if (log.isLevelEnabled('info'))
      log.info({ host: this.host, conn: this.id, code }, 'socket closed')
  }
}

/** Takes the raw path after the route prefix, so `/live/example.com/blog` is host `example.com/blog`. */
function rawHost(url: string): string {
  const start = url.indexOf(livePrefix) + livePrefix.length
  const query = url.indexOf('?', start)
  return url.slice(start, query === -1 ? undefined : query)
}

/**
 * Completes a visitor's handshake, then admits or closes with a 4xxx code. createApp hands it to
 * Bun as a route of its own, and the Elysia route below serves `app.handle`.
 */
export function liveHandler(service: Service) {
  return async (
    request: Request,
    server: Server<VisitorSocket> | null,
  ): Promise<Response | undefined> => {
    const parsed = canonicalHost(rawHost(request.url))
    const host = parsed.ok ? parsed.host : null
    if (host !== null && !service.registry.cached(host)) await service.refreshRegistry()
    const socket = new VisitorSocket(service, host, service.nextConnectionId())
    if (server?.upgrade(request, { data: socket })) return
    return new Response(
      JSON.stringify({
        error: {
          code: 'upgrade_required',
          message: 'this route takes WebSocket connections only',
        },
      }),
      { status: 426, headers: { 'content-type': 'application/json', upgrade: 'websocket' } },
    )
  }
}

/** The visitors' route in Elysia, which a running server leaves to Bun (see createApp). */
export const liveRoutes = (service: Service) => {
  const handle = liveHandler(service)
  return new Elysia({ name: 'live' }).get(
    `${livePrefix}*`,
    ({ request, server }) => handle(request, server),
    // Documented by hand in openapi.ts, because the generator shows the wildcard as `/*`.
    { detail: { hide: true } },
  )
}
