import { afterAll, beforeAll, expect } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { startTestServer } from '../helpers'
import { browserMissing, describe, launchBrowser, test } from './browser'
import { openPage, waitForUpdates } from './harness'
import { CuttableProxy } from './proxy'
import { refreshBody, TestSite } from './site'

/** Long enough for a client that ignores the rules to have fetched or reconnected. */
const SETTLE_MS = 2500

let browser: Browser
beforeAll(async () => {
  if (browserMissing) return
  browser = await launchBrowser()
})
afterAll(() => browser?.close())

test('page reconnects after a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'socketizer-restart-'))
  let server = await startTestServer({ 'data-dir': dataDir })
  const site = new TestSite(server.url)
  const context = await browser.newContext()
  try {
    const apiKey = await server.addSite(site.host, { reloadsPerSecond: 1000 })
    const open = await openPage(context, `${site.url}/hello-live-world/`)
    await open.page.evaluate(() => Object.assign(window, { loadedOnce: true }))

    const port = server.server.port
    await server.stop()
    server = await startTestServer({ 'data-dir': dataDir, listen: `127.0.0.1:${port}` })
    const { sockets } = open
    await sockets.until(() => sockets.connects().length === 2, 'connect after restart', 30_000)
    expect(site.fetches('/hello-live-world/')).toHaveLength(0)

    site.addComment(5, 'Barbara', 'Posted after the restart')
    await server.refresh(refreshBody(site, apiKey, 'comment', '/hello-live-world/', 5))
    expect(await waitForUpdates(open, 1)).toEqual(['complete'])
    expect(site.fetches('/hello-live-world/')).toHaveLength(1)
    expect(await open.page.textContent('.comment-list')).toContain('Posted after the restart')
    expect(await open.page.evaluate(() => 'loadedOnce' in window)).toBe(true)
  } finally {
    await context.close()
    await site[Symbol.asyncDispose]()
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}, 50_000)

describe('socket cut by the network', () => {
  const setup = async () => {
    const server = await startTestServer()
    const site = new TestSite(server.url)
    const apiKey = await server.addSite(site.host, { reloadsPerSecond: 1000 })
    const proxy = await CuttableProxy.start(server.server.port)
    // The index page reaches the service through the proxy, the post page directly.
    site.scriptOrigins.set('/', proxy.url)
    const context = await browser.newContext()
    const close = async () => {
      await context.close()
      await proxy[Symbol.asyncDispose]()
      await site[Symbol.asyncDispose]()
      await server.stop()
    }
    return { server, site, apiKey, proxy, context, close }
  }

  test('missed refresh applies once', async () => {
    const { server, site, apiKey, proxy, context, close } = await setup()
    try {
      const index = await openPage(context, `${site.url}/`)
      await openPage(context, `${site.url}/hello-live-world/`)
      proxy.blocked = true
      proxy.cut()
      await index.sockets.until(() => index.sockets.sockets[0]!.closed, 'socket cut')

      site.state.posts[0]!.title = 'Hello live world, updated'
      await server.refresh(refreshBody(site, apiKey, 'post', '/hello-live-world/', 5))
      await site.waitForFetches('/hello-live-world/', 1)
      expect(site.fetches('/')).toHaveLength(0)

      proxy.blocked = false
      const { sockets } = index
      await sockets.until(() => sockets.connects().length === 2, 'reconnect', 30_000)
      expect(await waitForUpdates(index, 1)).toEqual(['complete'])
      expect(site.fetches('/')).toHaveLength(1)
      expect(await index.page.textContent('#main')).toContain('Hello live world, updated')

      // Neither a later reconnect nor a newly opened page fetches the same refresh again.
      proxy.cut()
      await sockets.until(() => sockets.connects().length === 3, 'second reconnect', 30_000)
      await openPage(context, `${site.url}/`)
      await Bun.sleep(SETTLE_MS)
      expect(site.fetches('/')).toHaveLength(1)
      expect(site.fetches('/hello-live-world/')).toHaveLength(1)
    } finally {
      await close()
    }
  }, 50_000)

  test('hidden page reconnects when visible', async () => {
    const { proxy, site, context, close } = await setup()
    try {
      const { page, sockets } = await openPage(context, `${site.url}/`)
      await page.evaluate(() =>
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }),
      )
      proxy.cut()
      await Bun.sleep(SETTLE_MS)
      expect(sockets.sockets).toHaveLength(1)

      await page.evaluate(() => {
        Object.defineProperty(document, 'hidden', { get: () => false })
        document.dispatchEvent(new Event('visibilitychange'))
      })
      await sockets.until(() => sockets.connects().length === 2, 'reconnect when visible')
      expect(sockets.sockets).toHaveLength(2)
    } finally {
      await close()
    }
  }, 30_000)

  test('stops after 4403', async () => {
    const { server, proxy, site, context, close } = await setup()
    try {
      const { page, sockets } = await openPage(context, `${site.url}/`)
      await server.server.service.registry.updateSite(site.host, { active: false })
      proxy.cut()
      await sockets.until(() => sockets.sockets.length === 2 && sockets.sockets[1]!.closed, '4403')
      expect(sockets.connects()).toHaveLength(1)

      await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')))
      await Bun.sleep(SETTLE_MS)
      expect(sockets.sockets).toHaveLength(2)
    } finally {
      await close()
    }
  }, 30_000)
})
