import { Elysia } from 'elysia'
import * as v from 'valibot'
import { ApiError } from '../errors'
import { jsonContent, readJson } from '../http'
import { ErrorBody, errorResponses } from '../openapi'
import { keyMatches } from '../keys'
import { parseInput, requireHost } from '../registry'
import { RefreshBody } from '../schemas'
import type { Service } from '../service'

export const refreshPath = '/service/api/v1/wordpress/cmd/client/refresh/post'

export const RefreshAccepted = v.object({
  host: v.string(),
  sockets: v.pipe(v.number(), v.description('Sockets of the host on this node that get the frame')),
  seq: v.pipe(v.number(), v.description("The host's refresh sequence number")),
  coalesced: v.pipe(
    v.boolean(),
    v.description('True when the frame goes out at the end of the coalescing window'),
  ),
})

/** The plugin's refresh call: checks the site's key, then pushes one frame to its sockets. */
export const refreshRoutes = (service: Service) =>
  new Elysia({ name: 'refresh' })
    .post(
      refreshPath,
      async ({ body }) => {
        const input = parseInput(RefreshBody, body)
        const host = requireHost(input.host)
        const site = await authorise(service, host, input.apiKey)
        if (!service.registry.isAllowed(site)) {
          const error = new ApiError('forbidden', `site ${host} is inactive or expired`, 'host')
          error.host = host
          throw error
        }
        const { apiKey: _, ...fields } = input
        const result = service.hub.refresh({ ...fields, host })
        service.metrics.refreshAnswered(200)
        service.log.info({ host, what: input.what, sockets: result.sockets }, 'refresh accepted')
        return { host, ...result }
      },
      {
        parse: ({ request }) => readJson(request, service.config.maxBodyBytes),
        detail: {
          summary: 'Refresh the visitors of a site',
          description:
            'Sent by the WordPress plugin. The body is JSON whatever the Content-Type header says.',
          tags: ['plugin'],
          requestBody: { required: true, content: jsonContent(RefreshBody) },
          responses: {
            200: { description: 'Accepted', content: jsonContent(RefreshAccepted) },
            ...errorResponses,
            403: { description: 'Site inactive or expired', content: jsonContent(ErrorBody) },
          },
        },
      },
    )
    .get(
      refreshPath,
      () => {
        throw new ApiError('method_not_allowed', 'this route takes POST requests only')
      },
      { detail: { hide: true } },
    )

/** Finds the host's site and checks the key, reloading the registry once on a miss. */
async function authorise(service: Service, host: string, apiKey: string) {
  let site = service.registry.cached(host)
  if (!site || !keyMatches(apiKey, site.keyHash)) {
    await service.refreshRegistry()
    site = service.registry.cached(host)
  }
  if (!site || !keyMatches(apiKey, site.keyHash)) {
    const error = new ApiError('unauthorized', 'apiKey is not a valid key for this host', 'apiKey')
    error.host = host
    throw error
  }
  return site
}
