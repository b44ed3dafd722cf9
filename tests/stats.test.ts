import { expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Stats } from '../src/stats'
import { SqliteStore } from '../src/store/sqlite'

test('flush adds counts and keeps peaks', async () => {
  const store = new SqliteStore(mkdtempSync(join(tmpdir(), 'socketizer-stats-')))
  const stats = new Stats(store)
  stats.socketOpened('a.example', 1, 1, 1)
  stats.socketOpened('a.example', 2, 2, 1)
  stats.refreshAccepted('a.example')
  stats.framePublished(2)
  await stats.flush()
  stats.socketOpened('a.example', 1, 1, 1)
  await stats.flush()
  expect(await store.readTotals()).toEqual({
    socketsServed: 3,
    refreshRequests: 1,
    refreshFrames: 1,
    messagesSent: 2,
    peakSockets: 2,
    peakHosts: 1,
  })
  const [site] = await store.readSiteStats('a.example')
  expect(site).toMatchObject({ refreshes: 1, socketsServed: 3, peakSockets: 2 })
})

test('failed flush keeps its counts for the next one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'socketizer-stats-'))
  const broken = new SqliteStore(dir)
  const stats = new Stats(broken)
  stats.refreshAccepted('b.example')
  await broken.close()
  await expect(stats.flush()).rejects.toThrow()
  const working = new SqliteStore(dir)
  // Point the same counters at a working store, as a reconnect would.
  Object.assign(stats, { store: working })
  stats.refreshAccepted('b.example')
  await stats.flush()
  expect((await working.readTotals()).refreshRequests).toBe(2)
  expect((await working.readSiteStats('b.example'))[0]!.refreshes).toBe(2)
})
