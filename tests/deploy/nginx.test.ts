// Runs deploy/nginx/socketizer.conf under a real nginx that the test starts with its own main
// configuration, in front of the compiled service (see nginx.ts for what is rewritten).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { join } from 'node:path'
import { runCli, startBinary, type BinaryServer } from '../binary'
import { mainConfig, startNginx, type Nginx } from './nginx'
import { makeTempDir, readDeployFile, requireProgram, skipWithout } from './programs'
import { refreshBody, refreshPath, Visitor } from './visitor'

const site = 'proxied.example'
const serviceKey = 'deploy-test-service-key-0123456789abcdef'

/** Creates a data directory with `site` registered, and returns it and the site's API key. */
async function dataDirWithSite() {
  const dir = makeTempDir('socketizer-nginx-data-')
  const added = await runCli(['site', 'add', site, '--data-dir', dir, '--json'])
  expect(added.code).toBe(0)
  return { dir, apiKey: (JSON.parse(added.stdout) as { apiKey: string }).apiKey }
}

/** Sends a GET from a chosen loopback source address, and returns the status and body. */
function getFrom(localAddress: string, url: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    http
      .get(url, { localAddress }, (response) => {
        let body = ''
        response.on('data', (chunk) => (body += chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
      })
      .on('error', reject)
  })
}

describe.skipIf(skipWithout(['nginx']))('nginx site file', () => {
  let dataDir: string
  let apiKey: string
  let backend: BinaryServer
  let proxy: Nginx
  const liveUrl = (nginx: Nginx) => `${nginx.wsUrl}/service/wordpress/live/${site}`

  beforeAll(async () => {
    ;({ dir: dataDir, apiKey } = await dataDirWithSite())
    backend = await startBinary(['--service-key', serviceKey, '--coalesce-window-ms', '0'], dataDir)
    proxy = await startNginx(backend.url.replace('http://', ''))
  })

  afterAll(async () => {
    await proxy?.stop()
    await backend?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('admin API requires the service key', async () => {
    const visitor = await Visitor.connect(liveUrl(proxy))
    const get = (path: string, key?: string) =>
      fetch(`${proxy.url}/service/api/v1/${path}`, {
        headers: key ? { authorization: `Bearer ${key}` } : {},
      })

    for (const path of ['stats', 'sites', 'pool']) {
      for (const key of [undefined, 'wrong-key-wrong-key-wrong-key-wrong-key']) {
        const rejected = await get(path, key)
        expect(rejected.status).toBe(401)
        const body = (await rejected.json()) as { error: { code: string } }
        expect(body.error.code).toBe('unauthorized')
      }
    }

    const stats = await get('stats', serviceKey)
    expect(stats.status).toBe(200)
    const statsBody = (await stats.json()) as { totals: { socketsServed: number } }
    expect(statsBody.totals.socketsServed).toBeGreaterThanOrEqual(1)
    const sites = await get('sites', serviceKey)
    expect(sites.status).toBe(200)
    const sitesBody = (await sites.json()) as { total: number; sites: { host: string }[] }
    expect(sitesBody.sites.map((entry) => entry.host)).toEqual([site])
    const pool = await get('pool', serviceKey)
    expect(pool.status).toBe(200)
    const poolBody = (await pool.json()) as { sockets: number }
    expect(poolBody.sockets).toBe(1)
    visitor.close()
  })

  test('ops and static routes pass through nginx', async () => {
    const health = await fetch(`${proxy.url}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    const ready = await fetch(`${proxy.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(((await ready.json()) as { status: string }).status).toBe('ready')
    const client = await fetch(`${proxy.url}/service/static/wordpress/socketizer.js`)
    expect(client.status).toBe(200)
    expect(client.headers.get('content-type')).toContain('javascript')
    const metrics = await fetch(`${proxy.url}/metrics`)
    expect(metrics.status).toBe(200)
    expect(await metrics.text()).toContain('# TYPE')
    expect((await fetch(`${proxy.url}/wp-admin/`)).status).toBe(404)
  })

  test('metrics rejected for other addresses', async () => {
    // Linux routes all of 127.0.0.0/8 to lo, so 127.0.0.2 acts as a host not on the allow-list.
    const metrics = await getFrom('127.0.0.2', `${proxy.url}/metrics`)
    expect(metrics.status).toBe(403)
    const health = await getFrom('127.0.0.2', `${proxy.url}/healthz`)
    expect(health.status).toBe(200)
  })

  test('site file and main snippet pass nginx -t', async () => {
    const dir = makeTempDir('socketizer-nginx-check-')
    writeFileSync(join(dir, 'socketizer.conf'), readDeployFile('nginx/socketizer.conf'))
    const httpBlock = `  include ${join(dir, 'socketizer.conf')};`
    const main = readDeployFile('nginx/nginx-main.conf.snippet')
    writeFileSync(join(dir, 'nginx.conf'), mainConfig(dir, httpBlock, main))
    const args = ['-t', '-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')]
    const check = Bun.spawnSync([requireProgram('nginx'), ...args])
    const output = check.stderr.toString()
    rmSync(dir, { recursive: true, force: true })
    expect(output).toContain('test is successful')
    expect(output).not.toContain('[warn]')
    expect(check.exitCode).toBe(0)
  })

  test('socket through nginx outlives 75 s of silence', async () => {
    // Control: the same site file in front of a service that sends no ping within the test.
    const quiet = await dataDirWithSite()
    await using quietBackend = await startBinary(['--idle-timeout', '960'], quiet.dir)
    await using quietProxy = await startNginx(quietBackend.url.replace('http://', ''))
    const visitor = await Visitor.connect(liveUrl(proxy))
    const unpinged = await Visitor.connect(liveUrl(quietProxy))

    await Bun.sleep(75_000)

    // nginx closes a proxied socket with no traffic for proxy_read_timeout, without a close
    // frame. If it did not, the timeout in the site file is above 75 s and this test no longer
    // shows that the service's pings are what keeps sockets open.
    expect(unpinged.closeCode).toBe(1006)
    expect(visitor.closeCode).toBeUndefined()
    expect(visitor.pings).toBeGreaterThanOrEqual(2)
    expect(visitor.frames).toHaveLength(1)

    const response = await fetch(`${proxy.url}${refreshPath}`, {
      method: 'POST',
      body: refreshBody(site, apiKey, '75'),
    })
    expect(response.status).toBe(200)
    const [, refresh] = await visitor.waitForFrames(2)
    expect(refresh!.Data.cmd).toBe('refreshPost')
    expect(refresh!.Data.postId).toBe('75')
    visitor.close()
    rmSync(quiet.dir, { recursive: true, force: true })
  }, 110_000)
})
