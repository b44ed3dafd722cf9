import { Elysia } from 'elysia'
import * as v from 'valibot'
import { ApiError } from '../errors'
import { noticeFrame } from '../frames'
import { keyMatches } from '../keys'
import { parseInput, requireHost } from '../registry'
import { SettingsPatch, SiteCreate, SitePatch } from '../schemas'
import type { Service } from '../service'
import { readStatsReport } from '../stats'
import { jsonContent, pathOf, readJson } from '../http'
import { errorResponses } from '../openapi'

const api = '/service/api/v1'
const sitesPrefix = `${api}/sites/`

const Broadcast = v.strictObject({
  host: v.optional(v.string('must be a string')),
  message: v.pipe(
    v.string('must be a string'),
    v.minLength(1, 'must not be empty'),
    v.maxLength(1000, 'must be at most 1000 characters'),
  ),
})

const PoolInfoRequest = v.object({ serviceKey: v.string('must be a string') })

const siteKeysPrefix = `${api}/site-keys/`

/** Returns the host after a route prefix; the host may itself contain `/` and `:`. */
function hostFromPath(url: string, prefix = sitesPrefix): string {
  return pathOf(url).slice(prefix.length)
}

/** The token of an `Authorization: Bearer` header; the scheme name is case-insensitive. */
const bearer = (request: Request) =>
  request.headers.get('authorization')?.match(/^Bearer +(\S+)\s*$/i)?.[1]

const pageQuery = (query: Record<string, string | undefined>, name: string, fallback: number) => {
  const value = query[name]
  if (value === undefined) return fallback
  if (!/^\d{1,7}$/.test(value)) {
    throw new ApiError('invalid_query', `${name} must be a whole number`, name)
  }
  return Number(value)
}

/** Tells whether a presented key is the service key. */
const isServiceKey = (service: Service, key: string | undefined) =>
  key !== undefined &&
  service.registry.serviceKeyHash !== null &&
  keyMatches(key, service.registry.serviceKeyHash)

const body = (schema: v.GenericSchema) => ({ required: true, content: jsonContent(schema) })

/** Builds the OpenAPI details of an admin route: Bearer authorisation and the error responses. */
const doc = (summary: string, extra: Record<string, unknown> = {}) => ({
  summary,
  tags: ['admin'],
  security: [{ serviceKey: [] }],
  responses: errorResponses,
  ...extra,
})

/** The operator's API, authorised by the service key as a Bearer token. */
export const adminRoutes = (service: Service) => {
  const { registry, hub, log } = service
  const parse = ({ request }: { request: Request }) =>
    readJson(request, service.config.maxBodyBytes)
  /** Logs an admin change and closes the sockets it disallowed, such as a removed site's. */
  const changed = (action: string, fields: Record<string, unknown>) => {
    log.info({ action, ...fields }, 'admin change')
    service.closeDisallowed()
  }

  const authorised = new Elysia({ name: 'admin' })
    .onBeforeHandle({ as: 'local' }, ({ request }) => {
      if (!isServiceKey(service, bearer(request))) {
        throw new ApiError('unauthorized', 'a valid service key is required as a Bearer token')
      }
    })
    .get(
      `${api}/sites`,
      ({ query }) =>
        registry.listSites(pageQuery(query, 'offset', 0), pageQuery(query, 'limit', 100)),
      {
        detail: doc('List sites', {
          parameters: ['offset', 'limit'].map((name) => ({
            name,
            in: 'query',
            required: false,
            description:
              name === 'offset' ? 'Sites to skip (default 0)' : 'Sites to return (default 100)',
            schema: { type: 'integer', minimum: 0 },
          })),
        }),
      },
    )
    .post(
      `${api}/sites`,
      async ({ body, set }) => {
        const created = await registry.addSite(body)
        changed('site added', { host: created.site.host })
        set.status = 201
        return created
      },
      {
        parse,
        detail: doc('Register a site; the answer has its API key, shown once', {
          requestBody: body(SiteCreate),
        }),
      },
    )
    .get(
      `${sitesPrefix}*`,
      async ({ request }) => {
        const site = registry.view(await registry.getSite(hostFromPath(request.url)))
        return { ...site, stats: await service.store.readSiteStats(site.host) }
      },
      { detail: { hide: true } },
    )
    .patch(
      `${sitesPrefix}*`,
      async ({ request, body }) => {
        const site = await registry.updateSite(hostFromPath(request.url), body)
        changed('site updated', { host: site.host })
        return site
      },
      {
        parse,
        detail: { hide: true },
      },
    )
    .delete(
      `${sitesPrefix}*`,
      async ({ request }) => {
        const host = requireHost(hostFromPath(request.url))
        await registry.removeSite(host)
        changed('site removed', { host })
        return { removed: host }
      },
      { detail: { hide: true } },
    )
    .post(
      `${siteKeysPrefix}*`,
      async ({ request }) => {
        const rotated = await registry.rotateKey(hostFromPath(request.url, siteKeysPrefix))
        changed('site key rotated', { host: rotated.site.host })
        return rotated
      },
      { detail: { hide: true } },
    )
    .get(`${api}/settings`, () => registry.settings, {
      detail: doc('Read settings'),
    })
    .patch(
      `${api}/settings`,
      async ({ body }) => {
        const settings = await registry.updateSettings(body)
        changed('settings updated', { fields: Object.keys(body as object) })
        return settings
      },
      {
        parse,
        detail: doc('Change settings', { requestBody: body(SettingsPatch) }),
      },
    )
    .get(
      `${api}/stats`,
      async () => {
        await service.stats.flush()
        const report = await readStatsReport(service.store)
        return { ...report, current: { sockets: hub.sockets, hosts: hub.activeHosts } }
      },
      {
        detail: doc('Counters kept across restarts, and current sockets'),
      },
    )
    .get(
      `${api}/pool`,
      () => {
        const pool = hub.pool()
        return { hosts: pool.length, sockets: hub.sockets, pool }
      },
      { detail: doc('Hosts connected and sockets per host on this node') },
    )
    .post(
      `${api}/broadcast`,
      ({ body }) => {
        const input = parseInput(Broadcast, body)
        const host = input.host === undefined ? undefined : requireHost(input.host)
        const sockets = hub.broadcast(noticeFrame(input.message), host)
        changed('broadcast', { host: host ?? 'all', sockets })
        return { sockets }
      },
      {
        parse,
        detail: doc('Send a notice frame to one host, or to all', { requestBody: body(Broadcast) }),
      },
    )
    .post(
      `${api}/drain`,
      async () => {
        changed('drain', { sockets: hub.sockets })
        const closed = await service.drain(service.config.shutdownTimeoutMs, 'server draining')
        return { draining: true, closed, sockets: hub.sockets }
      },
      {
        detail: doc('Close every socket with 1001 and admit none, for a rolling restart'),
      },
    )
    .post(
      `${api}/resume`,
      () => {
        hub.draining = false
        changed('resume', {})
        return { draining: false }
      },
      { detail: doc('Admit sockets again after a drain') },
    )

  return new Elysia({ name: 'admin-api' }).use(authorised).post(
    `${api}/pool-info`,
    ({ body }) => {
      const input = parseInput(PoolInfoRequest, body)
      if (!isServiceKey(service, input.serviceKey)) {
        throw new ApiError('unauthorized', 'serviceKey is not valid', 'serviceKey')
      }
      const pool = hub.pool()
      return {
        DomainCount: pool.length,
        DomainList: pool.map((p) => p.host),
        ClientSub: Object.fromEntries(pool.map((p) => [p.host, p.sockets])),
      }
    },
    {
      parse,
      detail: doc('Pool info of the original service', {
        requestBody: body(PoolInfoRequest),
        security: [],
      }),
    },
  )
}
