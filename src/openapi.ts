import * as v from 'valibot'
import { jsonContent } from './http'
import { SitePatch } from './schemas'

/** The one error shape of the API. */
export const ErrorBody = v.object({
  error: v.object({
    code: v.pipe(v.string(), v.description('Stable error code, such as invalid_body')),
    message: v.pipe(v.string(), v.description('What failed and how to fix it')),
    field: v.optional(v.pipe(v.string(), v.description('The request field at fault'))),
  }),
})

const error = (description: string) => ({ description, content: jsonContent(ErrorBody) })

/** Error responses shared by the API's routes. */
export const errorResponses = {
  400: error('Invalid body, query or host; `field` names the culprit'),
  401: error('Missing or wrong key'),
  404: error('No such site or route'),
  413: error('Body over --max-body-bytes'),
  503: error('The store is busy; retry'),
}

const hostParameter = {
  name: 'host',
  in: 'path' as const,
  required: true,
  description:
    'Site host as the plugin sends it; it may contain `/` and `:` unescaped, as in example.com:8080/blog',
  schema: { type: 'string' as const },
}

const admin = (summary: string, extra: Record<string, unknown> = {}) => ({
  summary,
  tags: ['admin'],
  security: [{ serviceKey: [] }],
  parameters: [hostParameter],
  responses: { 200: { description: 'Done' }, ...errorResponses },
  ...extra,
})

/**
 * Paths written by hand: the routes whose host runs to the end of the path are wildcard routes,
 * which the generator can only show as `/*`.
 */
const hostPaths = {
  '/service/wordpress/live/{host}': {
    get: {
      summary: "Visitor WebSocket of a site's host",
      description:
        'Upgrades to a WebSocket. The first frame is `{"Timestamp","Data":{"id","message":"socketizer connected","seq","lastRefresh"}}`, then one `refreshPost` frame per refresh of the host. A refused socket is closed with 4400 (invalid host), 4403 (not registered, inactive or expired), 4429 (site limit), 4503 (paused or server limit); 1001 means the server is shutting down or draining and 1009 an inbound frame over the limit.',
      tags: ['visitors'],
      parameters: [hostParameter],
      responses: {
        101: { description: 'Switching to the WebSocket protocol' },
        426: error('Not a WebSocket upgrade request'),
      },
    },
  },
  '/service/api/v1/sites/{host}': {
    get: admin('Show a site and its monthly counters'),
    patch: admin('Change a site', {
      requestBody: { required: true, content: jsonContent(SitePatch) },
    }),
    delete: admin('Remove a site; its sockets are closed with 4403'),
  },
  '/service/api/v1/site-keys/{host}': {
    post: admin("Replace a site's API key; the answer has the new key, shown once"),
  },
}

/** The `documentation` option of the OpenAPI plugin. */
export const documentation = (version: string) => ({
  info: {
    title: 'Socketizer',
    version,
    description:
      'Live refresh push service for WordPress sites. Visitors connect to the WebSocket route `/service/wordpress/live/{host}`; the plugin posts refreshes; operators use the admin routes with the service key as a Bearer token.',
  },
  components: {
    securitySchemes: { serviceKey: { type: 'http' as const, scheme: 'bearer' } },
  },
  paths: hostPaths,
})
