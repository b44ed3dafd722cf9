import { afterAll, beforeAll, expect } from 'bun:test'
import { browserMissing, SocketWatch, test } from './browser'
import { startHarness, type Harness } from './harness'
import { refreshBody } from './site'

const PAGES = 50
/** 50 sockets at 20 reloads per second make a 2500 ms spread hint. */
const RELOADS_PER_SECOND = 20

let h: Harness
beforeAll(async () => {
  if (browserMissing) return
  h = await startHarness({}, { reloadsPerSecond: RELOADS_PER_SECOND })
})
afterAll(() => h?.close())

test('50 pages spread fetches over the hint', async () => {
  const page = await h.context.newPage()
  const sockets = new SocketWatch(page)
  // One page holding 50 copies of the post in iframes: 50 clients, one browser process.
  await page.goto(`${h.site.url}/frames/?count=${PAGES}`)
  await sockets.until(() => sockets.connects().length === PAGES, `${PAGES} connect frames`, 30_000)
  expect(h.server.server.service.hub.socketsOf(h.site.host)).toBe(PAGES)

  h.site.addComment(5, 'Linus', 'Seen by fifty visitors')
  await h.server.refresh(refreshBody(h.site, h.apiKey, 'comment', '/hello-live-world/', 5))
  const fetches = await h.site.waitForFetches('/hello-live-world/', PAGES, 20_000)

  const spread = Number(sockets.refreshes()[0]!.spread)
  expect(spread).toBe((PAGES / RELOADS_PER_SECOND) * 1000)
  const times = fetches.map((f) => f.at)
  const first = Math.min(...times)
  const span = Math.max(...times) - first
  // 50 uniform delays cover about 96% of the window on average; 40% leaves a wide margin.
  expect(span).toBeGreaterThan(0.4 * spread)
  const buckets = Array<number>(10).fill(0)
  for (const at of times) buckets[Math.min(9, Math.floor(((at - first) / spread) * 10))]!++
  // Arriving together would put every fetch in the first tenth of the window.
  expect(Math.max(...buckets)).toBeLessThan(PAGES / 2)
  await page.close()
}, 45_000)
