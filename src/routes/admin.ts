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
        detail: { summary: 'List sites', tags: ['admin'] },
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
        detail: {
          summary: 'Register a site; the answer has its API key, shown once',
          tags: ['admin'],
          requestBody: body(SiteCreate),
        },
      },
    )
    .get(
      `${sitesPrefix}*`,
      async ({ request }) => {
        const site = registry.view(await registry.getSite(hostFromPath(request.url)))
        return { ...site, stats: await service.store.readSiteStats(site.host) }
      },
      { detail: { summary: 'Show a site and its monthly counters', tags: ['admin'] } },
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
        detail: { summary: 'Change a site', tags: ['admin'], requestBody: body(SitePatch) },
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
      { detail: { summary: 'Remove a site', tags: ['admin'] } },
    )
    .post(
      `${siteKeysPrefix}*`,
      async ({ request }) => {
        const rotated = await registry.rotateKey(hostFromPath(request.url, siteKeysPrefix))
        changed('site key rotated', { host: rotated.site.host })
        return rotated
      },
      { detail: { summary: 'Replace a site key: POST /site-keys/{host}', tags: ['admin'] } },
    )
    .get(`${api}/settings`, () => registry.settings, {
      detail: { summary: 'Read settings', tags: ['admin'] },
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
        detail: { summary: 'Change settings', tags: ['admin'], requestBody: body(SettingsPatch) },
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
        detail: { summary: 'Counters kept across restarts, and current sockets', tags: ['admin'] },
      },
    )
    .get(
      `${api}/pool`,
      () => {
        const pool = hub.pool()
        return { hosts: pool.length, sockets: hub.sockets, pool }
      },
      { detail: { summary: 'Hosts connected and sockets per host on this node', tags: ['admin'] } },
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
        detail: {
          summary: 'Send a notice frame to one host, or to all',
          tags: ['admin'],
          requestBody: body(Broadcast),
        },
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
        detail: {
          summary: 'Close every socket with 1001 and admit none, for a rolling restart',
          tags: ['admin'],
        },
      },
    )
    .post(
      `${api}/resume`,
      () => {
        hub.draining = false
        changed('resume', {})
        return { draining: false }
      },
      { detail: { summary: 'Admit sockets again after a drain', tags: ['admin'] } },
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
      detail: {
        summary: 'Pool info of the original service',
        tags: ['admin'],
        requestBody: body(PoolInfoRequest),
      },
    },
  )
}
