// Runs deploy/supervisor/socketizer.conf under a real supervisord that the test starts with its
// own configuration, socket and logs (see supervisor.ts for what is rewritten).
import { afterEach, describe, expect, test } from 'bun:test'
import { rmSync } from 'node:fs'
import { runCli } from '../binary'
import { logEntries, makeTempDir, readDeployFile, readIfExists, skipWithout } from './programs'
import { startSupervised, type Supervised } from './supervisor'
import { refreshBody, refreshPath, Visitor } from './visitor'

const site = 'supervised.example'

interface Totals {
  socketsServed: number
  refreshRequests: number
  refreshFrames: number
  messagesSent: number
}

/** Counters as `socketizer stats --json` reads them from the data directory. */
async function readStats(dataDir: string) {
  const result = await runCli(['stats', '--data-dir', dataDir, '--json'])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const stats = JSON.parse(result.stdout) as {
    totals: Totals
    sites: { host: string; refreshes: number; socketsServed: number }[]
  }
  return stats
}

async function addSite(dataDir: string): Promise<string> {
  const added = await runCli(['site', 'add', site, '--data-dir', dataDir, '--json'])
  expect(added.code).toBe(0)
  return (JSON.parse(added.stdout) as { apiKey: string }).apiKey
}

const sendRefresh = (url: string, apiKey: string, postId: string) =>
  fetch(`${url}${refreshPath}`, { method: 'POST', body: refreshBody(site, apiKey, postId) })

describe.skipIf(skipWithout(['supervisord', 'supervisorctl']))('supervisor program file', () => {
  let supervised: Supervised | undefined
  let dataDir: string | undefined
  let visitors: Visitor[] = []

  afterEach(async () => {
    for (const visitor of visitors) visitor.close()
    visitors = []
    await supervised?.stop()
    supervised = undefined
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  async function start() {
    dataDir = makeTempDir('socketizer-supervised-data-')
    const apiKey = await addSite(dataDir)
    supervised = await startSupervised(dataDir)
    const { pid, url } = await supervised.waitForRunning()
    const wsUrl = `${url.replace('http', 'ws')}/service/wordpress/live/${site}`
    return { supervised, apiKey, pid, url, wsUrl }
  }

  test('stop closes sockets with 1001 and keeps counts', async () => {
    const { supervised, apiKey, url, wsUrl, pid } = await start()
    visitors = await Promise.all([1, 2, 3, 4, 5].map(() => Visitor.connect(wsUrl)))
    for (const postId of ['1', '2', '3']) {
      expect((await sendRefresh(url, apiKey, postId)).status).toBe(200)
    }

    const stopped = await supervised.ctl('stop', 'socketizer')
    expect(stopped.output).toContain('socketizer: stopped')
    for (const visitor of visitors) expect(await visitor.closed).toBe(1001)
    expect((await supervised.status()).state).toBe('STOPPED')
    // supervisord logs "terminated by SIGKILL" instead when stopwaitsecs ran out.
    expect(readIfExists(supervised.supervisordLog)).toContain('stopped: socketizer (exit status 0)')
    const stoppedLines = logEntries(readIfExists(supervised.programLog)).filter(
      (entry) => entry.msg === 'stopped' && entry.pid === pid,
    )
    expect(stoppedLines).toHaveLength(1)

    const started = await supervised.ctl('start', 'socketizer')
    expect(started.output).toContain('socketizer: started')
    await supervised.waitForRunning(pid)
    const frames = visitors.map((visitor) => visitor.refreshFrames().length)
    const stats = await readStats(supervised.dataDir)
    expect(stats.totals.socketsServed).toBe(5)
    expect(stats.totals.refreshRequests).toBe(3)
    expect(frames[0]).toBeGreaterThan(0)
    expect(stats.totals.refreshFrames).toBe(frames[0]!)
    expect(stats.totals.messagesSent).toBe(frames.reduce((sum, count) => sum + count, 0))
    expect(stats.sites).toEqual([expect.objectContaining({ host: site, refreshes: 3 })])
    expect(stats.sites[0]!.socketsServed).toBe(5)
  }, 60_000)

  test('kill -9 loses at most the last second of counts', async () => {
    const { supervised, apiKey, url, wsUrl, pid } = await start()
    visitors = await Promise.all([1, 2, 3].map(() => Visitor.connect(wsUrl)))
    const acceptedAt: number[] = []
    const until = Date.now() + 4000
    for (let postId = 1; postId <= 400 && Date.now() < until; postId++) {
      const response = await sendRefresh(url, apiKey, String(postId))
      expect(response.status).toBe(200)
      acceptedAt.push(Date.now())
      await Bun.sleep(20)
    }

    const killedAt = Date.now()
    process.kill(pid, 'SIGKILL')
    for (const visitor of visitors) expect(await visitor.closed).toBe(1006)
    // With autorestart=true, supervisord starts the process again by itself.
    await supervised.waitForRunning(pid)
    expect(readIfExists(supervised.supervisordLog)).toContain(
      'exited: socketizer (terminated by SIGKILL; not expected)',
    )

    const settled = acceptedAt.filter((at) => at < killedAt - 1500).length
    expect(settled).toBeGreaterThan(0)
    const stats = await readStats(supervised.dataDir)
    expect(stats.totals.refreshRequests).toBeGreaterThanOrEqual(settled)
    expect(stats.totals.refreshRequests).toBeLessThanOrEqual(acceptedAt.length)
    expect(stats.totals.socketsServed).toBe(3)
  }, 60_000)

  test('program file leaves time to stop', () => {
    const program = readDeployFile('supervisor/socketizer.conf')
    const setting = (name: string) => program.match(new RegExp(`^${name}=(.*)$`, 'm'))?.[1]
    expect(setting('stopsignal')).toBe('TERM')
    const shutdownMs = Number(program.match(/SOCKETIZER_SHUTDOWN_TIMEOUT_MS="(\d+)"/)?.[1])
    // The service exits at most 1 s after its shutdown timeout.
    expect(Number(setting('stopwaitsecs')) * 1000).toBeGreaterThan(shutdownMs + 1000)
  })
})
