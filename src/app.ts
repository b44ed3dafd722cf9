import { Elysia } from 'elysia'
import { openapi } from '@elysiajs/openapi'
import { toJsonSchema } from '@valibot/to-json-schema'
import { ApiError } from './errors'
import { errorResponse, pathOf } from './http'
import { rateLimited } from './log'
import { adminRoutes } from './routes/admin'
import { clientRoutes } from './routes/client'
import { opsRoutes } from './routes/ops'
import { liveHandler, livePrefix, liveRoutes } from './routes/live'
import { refreshPath, refreshRoutes } from './routes/refresh'
import { documentation } from './openapi'
import type { Service } from './service'
import pkg from '../package.json'

/** Turns any error thrown by a handler into the API's one error shape. */
function toApiError(code: string | number, error: unknown): ApiError {
  if (error instanceof ApiError) return error
  // Elysia wraps an error thrown by a parse hook in its own ParseError.
  if (error instanceof Error && error.cause instanceof ApiError) return error.cause
  if (code === 'NOT_FOUND') return new ApiError('not_found', 'no such route')
  // SQLite returns SQLITE_BUSY when another process holds the write lock past the busy timeout.
  if (error instanceof Error && 'code' in error && String(error.code).startsWith('SQLITE_BUSY')) {
    return new ApiError('unavailable', 'the store is busy; retry in a moment')
  }
  if (code === 'PARSE') return new ApiError('invalid_json', 'request body must be valid JSON')
  if (code === 'VALIDATION') {
    const issue = (error as { valueError?: { path?: ({ key: unknown } | PropertyKey)[] } })
      .valueError
    const step = issue?.path?.[0]
    const field = typeof step === 'object' && step !== null ? String(step.key) : step?.toString()
    return new ApiError('invalid_body', `${field ?? 'body'} is invalid`, field)
  }
  return new ApiError('internal', 'internal error')
}

const rejectionLimit = rateLimited(10_000)

/** Logs a failed request: errors always, client mistakes once per route and code every 10 s. */
function logRejection(service: Service, error: ApiError, path: string, cause: unknown) {
  if (path.startsWith(refreshPath)) service.metrics.refreshAnswered(error.status)
  const { log } = service
  if (error.status >= 500) return log.error({ err: cause, path }, 'request failed')
  const fields = {
    path,
    status: error.status,
    code: error.code,
    field: error.field,
    host: error.host,
  }
  rejectionLimit(`${path}\n${error.code}\n${error.host}`, (suppressed) =>
    log.info({ ...fields, suppressed }, 'request rejected'),
  )
}

/** Logs a failed request and builds its response in the API's one error shape. */
function answerError(service: Service, code: string | number, error: unknown, request: Request) {
  const apiError = toApiError(code, error)
  try {
    logRejection(service, apiError, pathOf(request.url), error)
  } catch {
    // A failed log write must not turn an error response into a crash.
  }
  const headers: Record<string, string> = {}
  if (apiError.status === 401) headers['www-authenticate'] = 'Bearer'
  if (apiError.status === 405) headers.allow = 'POST'
  if (apiError.status === 503) headers['retry-after'] = '1'
  return errorResponse(apiError, headers)
}

/** Builds the HTTP and WebSocket routes of one server. */
export function createApp(service: Service) {
  const live = liveHandler(service)
  return new Elysia({
    // Bun serves the visitors' upgrades without Elysia's request handling, which cost 4 to 5 µs
    // of CPU per socket, against about 25 µs per handshake in all (see bench/RESULTS.md).
    serve: {
      routes: {
        [`${livePrefix}*`]: {
          GET: (request, server) =>
            live(request, server).catch((error) => answerError(service, 'UNKNOWN', error, request)),
        },
      },
    },
    websocket: {
      idleTimeout: service.config.idleTimeoutSeconds,
      sendPings: true,
      maxPayloadLength: service.config.maxInboundFrameBytes,
      backpressureLimit: service.config.sendBufferBytes,
      closeOnBackpressureLimit: true,
      perMessageDeflate: false,
    },
  })
    .onError(({ code, error, request }) => answerError(service, code, error, request))
    .use(
      openapi({
        path: '/service/api/docs',
        specPath: '/service/api/openapi.json',
        mapJsonSchema: { valibot: toJsonSchema },
        documentation: documentation(pkg.version),
        // Pinned, so the docs page does not change under the service; loaded from a CDN by the
        // operator's browser, not by the service.
        scalar: { version: '1.76.4' },
      }),
    )
    .use(opsRoutes(service))
    .use(adminRoutes(service))
    .use(liveRoutes(service))
    .use(refreshRoutes(service))
    .use(clientRoutes(service))
}
