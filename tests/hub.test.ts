import { beforeEach, describe, expect, test } from 'bun:test'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hub, maxMergedRefreshes } from '../src/hub'
import { Registry } from '../src/registry'
import { Stats } from '../src/stats'
import { SqliteStore } from '../src/store/sqlite'

/** Records what the hub publishes, in place of a server's topics. */
class RecordingFanout {
  readonly frames: { host: string; data: Record<string, string> }[] = []
  publish(host: string, frame: string) {
    this.frames.push({ host, data: JSON.parse(frame).Data })
  }
}

let registry: Registry
let fanout: RecordingFanout
const fields = (postId: string) => ({
  host: 'example.com',
  postUrl: `http://example.com/${postId}/`,
  postId,
  pageForPosts: 'http://example.com',
  what: 'post' as const,
  commentUrl: '',
  commentId: '',
})

async function newHub(coalesceWindowMs: number) {
  const store = new SqliteStore(mkdtempSync(join(tmpdir(), 'socketizer-hub-')))
  registry = new Registry(store)
  await registry.refresh()
  fanout = new RecordingFanout()
  return new Hub(registry, new Stats(store), fanout, coalesceWindowMs)
}

describe('hub refresh', () => {
  let hub: Hub
  beforeEach(async () => {
    hub = await newHub(100)
    await registry.addSite({ host: 'example.com', reloadsPerSecond: 2 })
  })

  test('burst becomes a leading and a trailing frame', async () => {
    const results = Array.from({ length: 20 }, (_, i) => hub.refresh(fields(String(i))))
    expect(results[0]!.coalesced).toBe(false)
    expect(results.slice(1).every((r) => r.coalesced)).toBe(true)
    expect(fanout.frames.map((f) => f.data.postId)).toEqual(['0'])
    while (fanout.frames.length < 2) await Bun.sleep(10)
    expect(fanout.frames.map((f) => f.data.postId)).toEqual(['0', '19'])
    await Bun.sleep(150)
    expect(fanout.frames).toHaveLength(2)
  })

  test('sequence numbers increase', () => {
    const seqs = [1, 2, 3].map((i) => hub.refresh(fields(String(i))).seq)
    expect(seqs[1]).toBeGreaterThan(seqs[0]!)
    expect(seqs[2]).toBeGreaterThan(seqs[1]!)
    expect(seqs[0]).toBeGreaterThanOrEqual(Date.now() - 1000)
  })

  test('spread hint follows sockets and reload rate', () => {
    for (let i = 0; i < 10; i++) expect(hub.admit('example.com')).toEqual({ ok: true })
    hub.refresh(fields('1'))
    // 10 sockets at 2 reloads per second spread over 5 s.
    expect(fanout.frames[0]!.data.spread).toBe('5000')
  })

  test('connect frame carries the last refresh', () => {
    hub.refresh(fields('7'))
    const frame = JSON.parse(hub.connectFrame('example.com', 'c1')).Data
    expect(frame.seq).toBe(fanout.frames[0]!.data.seq)
    expect(JSON.parse(frame.lastRefresh)).toMatchObject({ cmd: 'refreshPost', postId: '7' })
  })

  test('trailing frame lists the other merged refreshes', async () => {
    hub.refresh(fields('1'))
    for (const id of ['2', '3', '2', '4']) hub.refresh(fields(id))
    while (fanout.frames.length < 2) await Bun.sleep(10)
    const trailing = fanout.frames[1]!.data
    expect(trailing.postId).toBe('4')
    expect(JSON.parse(trailing.also!).map((f: { postId: string }) => f.postId)).toEqual(['2', '3'])
    expect(fanout.frames[0]!.data.also).toBeUndefined()
  })

  test('too many merged refreshes become also "*"', async () => {
    hub.refresh(fields('0'))
    for (let i = 1; i <= maxMergedRefreshes + 2; i++) hub.refresh(fields(String(i)))
    while (fanout.frames.length < 2) await Bun.sleep(10)
    expect(fanout.frames[1]!.data.also).toBe('*')
  })

  test('replayed refresh spreads over the peak', () => {
    for (let i = 0; i < 10; i++) hub.admit('example.com')
    for (let i = 0; i < 10; i++) hub.release('example.com')
    hub.refresh(fields('1'))
    expect(fanout.frames[0]!.data.spread).toBe('0')
    const replay = JSON.parse(JSON.parse(hub.connectFrame('example.com', 'c2')).Data.lastRefresh)
    // 10 sockets at the peak, 2 reloads per second: 5 s.
    expect(replay.spread).toBe('5000')
  })

  test('flushAll sends the pending trailing frame', () => {
    hub.refresh(fields('1'))
    hub.refresh(fields('2'))
    hub.flushAll()
    expect(fanout.frames.map((f) => f.data.postId)).toEqual(['1', '2'])
  })
})

describe('hub admission', () => {
  test('checks run in order: paused, registered, site limit, global limit', async () => {
    const hub = await newHub(0)
    await registry.addSite({ host: 'a.example', maxConnections: 1 })
    await registry.addSite({ host: 'b.example' })
    expect(hub.admit('nobody.example')).toEqual({ ok: false, code: 4403 })
    expect(hub.admit('a.example')).toEqual({ ok: true })
    expect(hub.admit('a.example')).toEqual({ ok: false, code: 4429 })
    await registry.updateSettings({ maxConnections: 1 })
    expect(hub.admit('b.example')).toEqual({ ok: false, code: 4503 })
    await registry.updateSettings({ active: false })
    expect(hub.admit('b.example')).toEqual({ ok: false, code: 4503 })
    hub.draining = true
    expect(hub.admit('b.example')).toEqual({ ok: false, code: 1001 })
  })

  test('release frees a place and forgets empty hosts', async () => {
    const hub = await newHub(0)
    await registry.addSite({ host: 'a.example', maxConnections: 1 })
    hub.admit('a.example')
    expect(hub.pool()).toEqual([{ host: 'a.example', sockets: 1 }])
    hub.release('a.example')
    hub.release('a.example')
    expect(hub.sockets).toBe(0)
    expect(hub.activeHosts).toBe(0)
    expect(hub.pool()).toEqual([])
    expect(hub.admit('a.example')).toEqual({ ok: true })
  })
})
