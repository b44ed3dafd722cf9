import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { connect, pluginBody, startTestServer, TestSocket, type TestServer } from './helpers'

const serviceKey = 'test-service-key-0123456789abcdefghijklmnop'
let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ 'service-key': serviceKey })
})
afterAll(() => server.stop())

const api = (path: string, init: RequestInit & { json?: unknown; key?: string | null } = {}) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  const key = init.key === undefined ? serviceKey : init.key
  if (key !== null) headers.authorization = `Bearer ${key}`
  return fetch(`${server.url}/service/api/v1${path}`, {
    ...init,
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  })
}

describe('admin API authorisation', () => {
  test.each([
    ['no key', null],
    ['wrong key', 'wrong-key-wrong-key-wrong-key-wrong-key'],
  ])('%s gets 401', async (_name, key) => {
    const response = await api('/sites', { key })
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({
      error: { code: 'unauthorized', message: 'a valid service key is required as a Bearer token' },
    })
  })
})

describe('sites through the API', () => {
  test('create, show, update, rotate, delete', async () => {
    const created = await api('/sites', {
      method: 'POST',
      json: { host: 'Shop.Example:8443/store/', maxConnections: 10 },
    })
    expect(created.status).toBe(201)
    const { site, apiKey } = (await created.json()) as {
      site: Record<string, unknown>
      apiKey: string
    }
    expect(site).toMatchObject({
      host: 'shop.example:8443/store',
      maxConnections: 10,
      status: 'active',
    })
    expect(site).not.toHaveProperty('keyHash')
    expect(apiKey).toHaveLength(44)

    const shown = await api('/sites/shop.example:8443/store')
    expect(shown.status).toBe(200)
    expect(await shown.json()).toMatchObject({ host: 'shop.example:8443/store', stats: [] })

    const updated = await api('/sites/shop.example:8443/store', {
      method: 'PATCH',
      json: { active: false, expiresAt: '2030-01-31' },
    })
    expect(await updated.json()).toMatchObject({
      active: false,
      status: 'inactive',
      expiresAt: '2030-01-31T23:59:59.999Z',
    })

    const rotated = await api('/site-keys/shop.example:8443/store', { method: 'POST' })
    const { apiKey: newKey } = (await rotated.json()) as { apiKey: string }
    expect(newKey).not.toBe(apiKey)

    const removed = await api('/sites/shop.example:8443/store', { method: 'DELETE' })
    expect(await removed.json()).toEqual({ removed: 'shop.example:8443/store' })
    expect((await api('/sites/shop.example:8443/store')).status).toBe(404)
  })

  test('duplicate host is a 409', async () => {
    await api('/sites', { method: 'POST', json: { host: 'dup.example' } })
    const again = await api('/sites', { method: 'POST', json: { host: 'DUP.example' } })
    expect(again.status).toBe(409)
    expect(await again.json()).toEqual({
      error: { code: 'conflict', message: 'site dup.example is already registered', field: 'host' },
    })
  })

  test.each([
    ['bad limit', { host: 'x.example', maxConnections: 0 }, 'maxConnections'],
    ['bad expiry', { host: 'x.example', expiresAt: 'tomorrow' }, 'expiresAt'],
    ['short key', { host: 'x.example', apiKey: 'short' }, 'apiKey'],
    ['bad host', { host: 'x.example?q=1' }, 'host'],
  ])('%s is a 400 naming the field', async (_name, json, field) => {
    const response = await api('/sites', { method: 'POST', json })
    expect(response.status).toBe(400)
    const { error } = (await response.json()) as { error: Record<string, string> }
    expect(error.field).toBe(field)
  })

  test('list pages through sites', async () => {
    for (const host of ['p1.example', 'p2.example', 'p3.example']) {
      await api('/sites', { method: 'POST', json: { host } })
    }
    const page = (await (await api('/sites?offset=1&limit=2')).json()) as {
      total: number
      sites: unknown[]
    }
    expect(page.sites).toHaveLength(2)
    expect(page.total).toBeGreaterThanOrEqual(3)
    expect((await api('/sites?limit=abc')).status).toBe(400)
  })
})

describe('settings, pool, broadcast, drain', () => {
  test('settings update and validation', async () => {
    const response = await api('/settings', {
      method: 'PATCH',
      json: { defaultSiteMaxConnections: 7 },
    })
    expect(await response.json()).toMatchObject({ defaultSiteMaxConnections: 7, active: true })
    const bad = await api('/settings', { method: 'PATCH', json: { freeMode: 'yes' } })
    expect(bad.status).toBe(400)
  })

  test('pool and original pool-info', async () => {
    await server.addSite('pool.example')
    const sockets = [
      await connect(server.wsUrl('pool.example')),
      await connect(server.wsUrl('pool.example')),
    ]
    const pool = await (await api('/pool')).json()
    expect(pool).toMatchObject({
      pool: expect.arrayContaining([{ host: 'pool.example', sockets: 2 }]),
    })
    const original = await fetch(`${server.url}/service/api/v1/pool-info`, {
      method: 'POST',
      body: JSON.stringify({ serviceKey }),
    })
    const info = (await original.json()) as Record<string, unknown>
    expect(info.DomainList).toContain('pool.example')
    expect(info.ClientSub).toMatchObject({ 'pool.example': 2 })
    expect(info.DomainCount).toBe((info.DomainList as string[]).length)
    const refused = await fetch(`${server.url}/service/api/v1/pool-info`, {
      method: 'POST',
      body: JSON.stringify({ serviceKey: 'nope' }),
    })
    expect(refused.status).toBe(401)
    for (const s of sockets) s.close()
  })

  test('broadcast reaches one host or all', async () => {
    await server.addSite('b1.example')
    await server.addSite('b2.example')
    const one = await connect(server.wsUrl('b1.example'))
    const two = await connect(server.wsUrl('b2.example'))
    const toOne = await api('/broadcast', {
      method: 'POST',
      json: { host: 'b1.example', message: 'hello one' },
    })
    expect(await toOne.json()).toEqual({ sockets: 1 })
    expect((await one.waitForFrames(2))[1]!.Data).toEqual({ cmd: 'notice', message: 'hello one' })
    await api('/broadcast', { method: 'POST', json: { message: 'hello all' } })
    expect((await two.waitForFrames(2))[1]!.Data).toEqual({ cmd: 'notice', message: 'hello all' })
    expect((await one.waitForFrames(3))[2]!.Data.message).toBe('hello all')
    one.close()
    two.close()
  })

  test('stats count sockets and refreshes', async () => {
    const key = await server.addSite('stats.example')
    const socket = await connect(server.wsUrl('stats.example'))
    await server.refresh(pluginBody('stats.example', key))
    await socket.waitForFrames(2)
    const stats = (await (await api('/stats')).json()) as {
      totals: Record<string, number>
      sites: { host: string; refreshes: number; socketsServed: number }[]
    }
    expect(stats.totals.refreshRequests).toBeGreaterThanOrEqual(1)
    expect(stats.sites.find((s) => s.host === 'stats.example')).toMatchObject({
      refreshes: 1,
      socketsServed: 1,
    })
    socket.close()
  })

  test('drain closes sockets with 1001 and fails readiness', async () => {
    await server.addSite('drain.example')
    const socket = await connect(server.wsUrl('drain.example'))
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200)
    const drained = await api('/drain', { method: 'POST' })
    expect(await drained.json()).toEqual({ draining: true, closed: true, sockets: 0 })
    expect(await socket.closed).toEqual({ code: 1001, reason: 'server draining' })
    const ready = await fetch(`${server.url}/readyz`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toEqual({ status: 'not ready', store: true, draining: true })
    const late = new TestSocket(server.wsUrl('drain.example'))
    expect((await late.closed).code).toBe(1001)
    await api('/resume', { method: 'POST' })
    const back = await connect(server.wsUrl('drain.example'))
    back.close()
  })
})

describe('admin API edge cases', () => {
  test('unknown field is a 400 naming it', async () => {
    const response = await api('/sites', { method: 'POST', json: { host: 'u.example', bogus: 1 } })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: {
        code: 'invalid_body',
        message: 'bogus is not a known field; remove it',
        field: 'bogus',
      },
    })
    const patch = await api('/settings', { method: 'PATCH', json: { freeMod: true } })
    expect(patch.status).toBe(400)
  })

  test('bearer scheme is case-insensitive', async () => {
    const response = await fetch(`${server.url}/service/api/v1/pool`, {
      headers: { authorization: `bearer ${serviceKey}` },
    })
    expect(response.status).toBe(200)
  })

  test('impossible date is rejected', async () => {
    const response = await api('/sites', {
      method: 'POST',
      json: { host: 'feb.example', expiresAt: '2027-02-30' },
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: { code: 'invalid_body', message: 'expiresAt must be a real date', field: 'expiresAt' },
    })
  })

  test('broadcast is counted as messages sent', async () => {
    await server.addSite('count.example')
    const socket = await connect(server.wsUrl('count.example'))
    const before = (await (await api('/stats')).json()) as { totals: { messagesSent: number } }
    await api('/broadcast', { method: 'POST', json: { host: 'count.example', message: 'hi' } })
    await socket.waitForFrames(2)
    const after = (await (await api('/stats')).json()) as { totals: { messagesSent: number } }
    expect(after.totals.messagesSent).toBe(before.totals.messagesSent + 1)
    socket.close()
  })

  test('removing or deactivating a site closes its sockets with 4403', async () => {
    await server.addSite('gone.example')
    await server.addSite('paused.example')
    const gone = await connect(server.wsUrl('gone.example'))
    const paused = await connect(server.wsUrl('paused.example'))
    await api('/sites/gone.example', { method: 'DELETE' })
    expect(await gone.closed).toEqual({
      code: 4403,
      reason: 'host not registered, inactive or expired',
    })
    await api('/sites/paused.example', { method: 'PATCH', json: { active: false } })
    expect((await paused.closed).code).toBe(4403)
  })
})

describe('ops routes', () => {
  test('metrics expose socket and refresh counters', async () => {
    const response = await fetch(`${server.url}/metrics`)
    expect(response.headers.get('content-type')).toStartWith('text/plain')
    const text = await response.text()
    for (const name of [
      'socketizer_sockets',
      'socketizer_admissions_total',
      'socketizer_refusals_total',
      'socketizer_refresh_requests_total{status="200"}',
      'socketizer_publish_seconds_bucket',
      'socketizer_process_resident_memory_bytes',
    ]) {
      expect(text).toContain(name)
    }
  })

  test('openapi document has JSON Schemas of the bodies', async () => {
    const doc = (await (await fetch(`${server.url}/service/api/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, { schema: Record<string, unknown> }> } }
        >
      >
    }
    const refresh = doc.paths['/service/api/v1/wordpress/cmd/client/refresh/post']!.post!
    const schema = refresh.requestBody!.content['application/json']!.schema
    expect(schema.type).toBe('object')
    expect(schema.required).toEqual(['host', 'apiKey', 'what'])
    const sites =
      doc.paths['/service/api/v1/sites']!.post!.requestBody!.content['application/json']!.schema
    expect(Object.keys(sites.properties as object)).toContain('maxConnections')
    expect(JSON.stringify(doc)).not.toContain('~standard')
    expect(JSON.stringify(doc)).not.toContain('$schema')
    const full = doc as unknown as {
      components: { securitySchemes: Record<string, unknown> }
      paths: Record<string, Record<string, { security?: unknown; parameters?: { name: string }[] }>>
    }
    expect(full.components.securitySchemes.serviceKey).toEqual({ type: 'http', scheme: 'bearer' })
    const site = full.paths['/service/api/v1/sites/{host}']!
    expect(Object.keys(site).sort()).toEqual(['delete', 'get', 'patch'])
    expect(site.get!.parameters![0]!.name).toBe('host')
    expect(full.paths['/service/api/v1/site-keys/{host}']!.post).toBeDefined()
    expect(full.paths['/service/api/v1/sites']!.get!.security).toEqual([{ serviceKey: [] }])
    expect(Object.keys(full.paths).some((path) => path.includes('*'))).toBe(false)
  })
})
