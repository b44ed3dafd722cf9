import { Elysia } from 'elysia'
import { openapi } from '@elysiajs/openapi'
import { toJsonSchema } from '@valibot/to-json-schema'
import { ApiError } from './errors'
import { adminRoutes } from './routes/admin'
import { clientRoutes } from './routes/client'
import { opsRoutes } from './routes/ops'
import { liveRoutes } from './routes/live'
import { refreshPath, refreshRoutes } from './routes/refresh'
import type { Service } from './service'
import pkg from '../package.json'

/** Turns any error thrown by a handler into the API's one error shape. */
function toApiError(code: string | number, error: unknown): ApiError {
  if (error instanceof ApiError) return error
  // Elysia wraps an error thrown by a parse hook in its own ParseError.
  if (error instanceof Error && error.cause instanceof ApiError) return error.cause
  if (code === 'NOT_FOUND') return new ApiError('not_found', 'no such route')
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

/** Builds the HTTP and WebSocket routes of one server. */
export function createApp(service: Service) {
  return new Elysia({
    websocket: {
      idleTimeout: service.config.idleTimeoutSeconds,
      sendPings: true,
      maxPayloadLength: service.config.maxInboundFrameBytes,
      backpressureLimit: service.config.sendBufferBytes,
      closeOnBackpressureLimit: true,
      perMessageDeflate: false,
    },
  })
    .onError(({ code, error, request }) => {
      const apiError = toApiError(code, error)
      const path = new URL(request.url).pathname
      if (path.startsWith(refreshPath)) service.metrics.refreshAnswered(apiError.status)
      if (apiError.status >= 500) {
        service.log.error({ err: error, path }, 'request failed')
      }
      return new Response(JSON.stringify(apiError), {
        status: apiError.status,
        headers: { 'content-type': 'application/json' },
      })
    })
    .use(
      openapi({
        path: '/service/api/docs',
        specPath: '/service/api/openapi.json',
        mapJsonSchema: { valibot: toJsonSchema },
        documentation: {
          info: {
            title: 'Socketizer',
            version: pkg.version,
            description: 'Live refresh push service for WordPress sites.',
          },
        },
      }),
    )
    .use(opsRoutes(service))
    .use(adminRoutes(service))
    .use(liveRoutes(service))
    .use(refreshRoutes(service))
    .use(clientRoutes(service))
}
