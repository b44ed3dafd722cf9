import type { Browser, BrowserContext, Page } from 'playwright-core'
import { startTestServer, type TestServer } from '../helpers'
import { launchBrowser, SocketWatch } from './browser'
import { TestSite } from './site'

/** A browser, a Socketizer server and a test site registered on it, for one test file. */
export interface Harness {
  browser: Browser
  context: BrowserContext
  server: TestServer
  site: TestSite
  apiKey: string
  close(): Promise<void>
}

export async function startHarness(
  flags: Record<string, string> = {},
  siteOptions: Record<string, unknown> = { reloadsPerSecond: 1000 },
): Promise<Harness> {
  const server = await startTestServer(flags)
  const site = new TestSite(server.url)
  const apiKey = await server.addSite(site.host, siteOptions)
  const browser = await launchBrowser()
  const context = await browser.newContext({ viewport: { width: 800, height: 500 } })
  return {
    browser,
    context,
    server,
    site,
    apiKey,
    async close() {
      await browser.close()
      await site[Symbol.asyncDispose]()
      await server.stop()
    },
  }
}

/** An open page of the test site, its sockets, and the results of its in-place updates. */
export interface OpenPage {
  page: Page
  sockets: SocketWatch
  /** Results of the client's `socketizer:refresh` events so far. */
  updates(): Promise<string[]>
}

/** Opens a page of the site and waits for its first connect frame. */
export async function openPage(context: BrowserContext, url: string): Promise<OpenPage> {
  const page = await context.newPage()
  const sockets = new SocketWatch(page)
  await page.addInitScript(() => {
    const results: string[] = []
    ;(window as unknown as { updates: string[] }).updates = results
    document.addEventListener('socketizer:refresh', (event) => {
      results.push((event as CustomEvent<{ result: string }>).detail.result)
    })
  })
  await page.goto(url)
  await sockets.until(() => sockets.connects().length === 1, `connect frame on ${url}`)
  return {
    page,
    sockets,
    updates: () => page.evaluate(() => (window as unknown as { updates: string[] }).updates),
  }
}

/** Waits until the page has reported `count` in-place updates. */
export async function waitForUpdates(open: OpenPage, count: number): Promise<string[]> {
  await open.page.waitForFunction(
    (n) => (window as unknown as { updates: string[] }).updates.length >= n,
    count,
    { timeout: 15_000 },
  )
  return open.updates()
}

/** Sends `count` refreshes one after another, paced to span about `spanMs`. */
export async function sendBurst(
  h: Harness,
  body: Record<string, unknown>,
  count: number,
  spanMs: number,
) {
  const statuses: number[] = []
  for (let i = 0; i < count; i++) {
    statuses.push((await h.server.refresh(body)).status)
    if (i < count - 1) await Bun.sleep(spanMs / count)
  }
  return statuses
}
