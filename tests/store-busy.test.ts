import { afterEach, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { join } from 'node:path'
import { connect, pluginBody, startTestServer, type TestServer } from './helpers'

const serviceKey = 'busy-test-service-key-0123456789abcdefghij'
let server: TestServer
afterEach(() => server.stop())

test('locked store gives 503 and loses no counts', async () => {
  server = await startTestServer({ 'service-key': serviceKey, 'stats-flush-ms': '100' })
  const apiKey = await server.addSite('busy.example')
  const socket = await connect(server.wsUrl('busy.example'))
  const lock = new Database(join(server.dataDir, 'socketizer.sqlite'))
  lock.run('BEGIN EXCLUSIVE')
  try {
    const added = await fetch(`${server.url}/service/api/v1/sites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceKey}` },
      body: JSON.stringify({ host: 'new.example' }),
    })
    expect(added.status).toBe(503)
    expect(added.headers.get('retry-after')).toBe('1')
    expect(await added.json()).toEqual({
      error: { code: 'unavailable', message: 'the store is busy; retry in a moment' },
    })
    // Refreshes need no store write, so they go on while the lock is held.
    const refreshed = await server.refresh(pluginBody('busy.example', apiKey))
    expect(refreshed.status).toBe(200)
    await socket.waitForFrames(2)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    // Let a few stats flushes fail against the lock.
    await Bun.sleep(350)
  } finally {
    lock.run('ROLLBACK')
    lock.close()
  }
  const { service } = server.server
  await service.stats.flush()
  const totals = await service.store.readTotals()
  expect(totals).toMatchObject({ socketsServed: 1, refreshRequests: 1, messagesSent: 1 })
  socket.close()
})
