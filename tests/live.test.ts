import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { connect, pluginBody, startTestServer, TestSocket, type TestServer } from './helpers'

let server: TestServer
beforeEach(async () => {
  server = await startTestServer()
})
afterEach(() => server.stop())

describe('visitor socket', () => {
  test('connect frame has the original shape', async () => {
    await server.addSite('example.com')
    const socket = await connect(server.wsUrl('example.com'))
    const [frame] = socket.frames
    expect(frame!.Timestamp).toMatch(/^\d{19}$/)
    expect(frame!.Data).toEqual({
      id: expect.any(String),
      message: 'socketizer connected',
      seq: '0',
      lastRefresh: '',
    })
    socket.close()
  })

  test('host with port and path is one topic', async () => {
    const key = await server.addSite('example.com:8080/blog')
    const socket = await connect(server.wsUrl('EXAMPLE.com:8080/blog/'))
    const response = await server.refresh(pluginBody('example.com:8080/blog', key))
    expect(response.status).toBe(200)
    const [, refresh] = await socket.waitForFrames(2)
    expect(refresh!.Data.host).toBe('example.com:8080/blog')
    socket.close()
  })

  test.each([
    ['invalid host', 'bad%20host', 4400, 'invalid host'],
    ['unregistered host', 'unknown.example', 4403, 'host not registered, inactive or expired'],
  ])('%s closes with its code', async (_name, host, code, reason) => {
    const socket = new TestSocket(server.wsUrl(host))
    expect(await socket.closed).toEqual({ code, reason })
    expect(socket.frames).toEqual([])
  })

  test('inactive and expired sites are refused', async () => {
    await server.addSite('off.example', { active: false })
    await server.addSite('old.example', { expiresAt: '2020-01-01' })
    for (const host of ['off.example', 'old.example']) {
      const socket = new TestSocket(server.wsUrl(host))
      expect((await socket.closed).code).toBe(4403)
    }
  })

  test('free mode admits an expired site', async () => {
    await server.addSite('old.example', { expiresAt: '2020-01-01' })
    await server.server.service.registry.updateSettings({ freeMode: true })
    const socket = await connect(server.wsUrl('old.example'))
    expect(socket.frames[0]!.Data.message).toBe('socketizer connected')
    socket.close()
  })

  test('paused service refuses with 4503', async () => {
    await server.addSite('example.com')
    await server.server.service.registry.updateSettings({ active: false })
    const socket = new TestSocket(server.wsUrl('example.com'))
    expect(await socket.closed).toEqual({ code: 4503, reason: 'service unavailable' })
  })

  test('site limit admits exactly the limit', async () => {
    const limit = 5
    await server.addSite('example.com', { maxConnections: limit })
    const sockets = Array.from(
      { length: limit + 1 },
      () => new TestSocket(server.wsUrl('example.com')),
    )
    const outcomes = await Promise.all(
      sockets.map((s) =>
        Promise.race([s.waitForFrames(1).then(() => 'admitted'), s.closed.then((c) => c.code)]),
      ),
    )
    expect(outcomes.filter((o) => o === 'admitted')).toHaveLength(limit)
    expect(outcomes.filter((o) => o === 4429)).toHaveLength(1)
    for (const s of sockets) s.close()
  })

  test('global limit refuses with 4503', async () => {
    await server.addSite('a.example')
    await server.addSite('b.example')
    await server.server.service.registry.updateSettings({ maxConnections: 2 })
    const first = await connect(server.wsUrl('a.example'))
    const second = await connect(server.wsUrl('b.example'))
    const third = new TestSocket(server.wsUrl('a.example'))
    expect(await third.closed).toEqual({ code: 4503, reason: 'service unavailable' })
    first.close()
    second.close()
  })

  test('closed sockets free their place', async () => {
    await server.addSite('example.com', { maxConnections: 1 })
    const first = await connect(server.wsUrl('example.com'))
    first.close()
    await first.closed
    while (server.server.service.hub.socketsOf('example.com') > 0) await Bun.sleep(5)
    const second = await connect(server.wsUrl('example.com'))
    expect(second.frames).toHaveLength(1)
    second.close()
  })

  test('oversize inbound frame closes with 1009', async () => {
    await server.addSite('example.com')
    const socket = await connect(server.wsUrl('example.com'))
    socket.socket.send('x'.repeat(4096))
    expect((await socket.closed).code).toBe(1009)
    while (server.server.service.hub.sockets > 0) await Bun.sleep(5)
    expect(server.server.service.hub.socketsOf('example.com')).toBe(0)
  })

  test('small inbound frames are ignored', async () => {
    await server.addSite('example.com')
    const socket = await connect(server.wsUrl('example.com'))
    socket.socket.send('{"hello":"server"}')
    const key = await server.server.service.registry.rotateKey('example.com')
    await server.refresh(pluginBody('example.com', key.apiKey))
    await socket.waitForFrames(2)
    expect(socket.frames[1]!.Data.cmd).toBe('refreshPost')
    socket.close()
  })

  test('plain GET gets 426 with a JSON error', async () => {
    const response = await fetch(`${server.url}/service/wordpress/live/example.com`)
    expect(response.status).toBe(426)
    expect(await response.json()).toEqual({
      error: { code: 'upgrade_required', message: 'this route takes WebSocket connections only' },
    })
  })

  test('shutdown closes sockets with 1001', async () => {
    await server.addSite('example.com')
    const socket = await connect(server.wsUrl('example.com'))
    await server.stop()
    expect(await socket.closed).toEqual({ code: 1001, reason: 'server shutting down' })
  })
})
