import { afterAll, beforeAll, expect } from 'bun:test'
import { browserMissing, describe, test } from './browser'
import {
  openPage,
  sendBurst,
  startHarness,
  waitForUpdates,
  type Harness,
  type OpenPage,
} from './harness'
import { refreshBody } from './site'

let h: Harness
beforeAll(async () => {
  if (browserMissing) return
  h = await startHarness({ 'coalesce-window-ms': '1000' })
})
afterAll(() => h?.close())

/** Time for a late fetch to show up: the client fetches at most once a second. */
const SETTLE_MS = 1500

const fetchCount = (path: string) => h.site.fetches(path).length

/** Waits until every page received `count` refresh frames in total. */
async function framesReached(pages: OpenPage[], count: number) {
  for (const { sockets } of pages) {
    await sockets.until(() => sockets.refreshes().length >= count, `${count} refresh frames`)
  }
}

describe('which pages update', () => {
  test('unconcerned pages fetch nothing', async () => {
    const pages = await Promise.all(
      ['/hello-live-world/', '/about/', '/', '/product/widget/'].map((path) =>
        openPage(h.context, `${h.site.url}${path}`),
      ),
    )
    const before = ['/about/', '/', '/product/widget/'].map(fetchCount)
    h.site.addComment(5, 'Grace', 'Only the post page shows this')
    await h.server.refresh(refreshBody(h.site, h.apiKey, 'comment', '/hello-live-world/', 5))

    await h.site.waitForFetches('/hello-live-world/', 1)
    await framesReached(pages, 1)
    await Bun.sleep(SETTLE_MS)
    expect(['/about/', '/', '/product/widget/'].map(fetchCount)).toEqual(before)
    expect(fetchCount('/hello-live-world/')).toBe(1)
    for (const { page } of pages) await page.close()
  })

  test('new post updates the index only', async () => {
    const paths = ['/hello-live-world/', '/', '/about/']
    const pages = await Promise.all(
      paths.map((path) => openPage(h.context, `${h.site.url}${path}`)),
    )
    const index = pages[1]!
    await index.page.evaluate(() =>
      Object.assign(document.querySelector('#post-5')!, { unchanged: true }),
    )
    const before = paths.map(fetchCount)
    h.site.state.posts.push({ id: 6, slug: 'second', title: 'Second post', body: 'News.' })
    await h.server.refresh(refreshBody(h.site, h.apiKey, 'post', '/second/', 6))

    expect(await waitForUpdates(index, 1)).toEqual(['complete'])
    expect(await index.page.textContent('#main')).toContain('Second post')
    const kept = await index.page.evaluate(() => 'unchanged' in document.querySelector('#post-5')!)
    expect(kept).toBe(true)
    await framesReached(pages, 1)
    await Bun.sleep(SETTLE_MS)
    expect(paths.map(fetchCount)).toEqual([before[0]!, before[1]! + 1, before[2]!])
    for (const { page } of pages) await page.close()
  })

  test('burst of 20 fetches at most twice', async () => {
    const paths = ['/hello-live-world/', '/']
    const pages = await Promise.all(
      paths.map((path) => openPage(h.context, `${h.site.url}${path}`)),
    )
    const before = paths.map(fetchCount)
    const body = refreshBody(h.site, h.apiKey, 'post', '/hello-live-world/', 5)
    expect(await sendBurst(h, body, 20, 100)).toEqual(Array(20).fill(200))

    // The server's coalescing window sends a leading and a trailing frame.
    await framesReached(pages, 2)
    await Bun.sleep(SETTLE_MS)
    const added = paths.map((path, i) => fetchCount(path) - before[i]!)
    for (const count of added) {
      expect(count).toBeGreaterThanOrEqual(1)
      expect(count).toBeLessThanOrEqual(2)
    }
    for (const { page } of pages) await page.close()
  })

  test('refresh merged into a trailing frame still updates its page', async () => {
    const product = await openPage(h.context, `${h.site.url}/product/widget/`)
    const before = fetchCount('/product/widget/')
    const comment = refreshBody(h.site, h.apiKey, 'comment', '/hello-live-world/', 5)
    const stock = refreshBody(h.site, h.apiKey, 'product', '/product/widget/', 9)
    // The stock change lands inside the coalescing window between two comments, so only the
    // trailing frame's `also` names it.
    for (const body of [comment, stock, comment])
      expect((await h.server.refresh(body)).status).toBe(200)

    await framesReached([product], 2)
    const trailing = product.sockets.refreshes()[1]!
    expect(JSON.parse(trailing.also!)).toEqual([
      expect.objectContaining({ what: 'product', postId: '9' }),
    ])
    await h.site.waitForFetches('/product/widget/', before + 1)
    expect(fetchCount('/product/widget/')).toBe(before + 1)
    await product.page.close()
  })

  test('second copy of the script opens no socket', async () => {
    h.site.doubleScript.add('/about/')
    const open = await openPage(h.context, `${h.site.url}/about/`)
    await open.page.waitForLoadState('load')
    expect(open.sockets.sockets).toHaveLength(1)
    h.site.doubleScript.delete('/about/')
    await open.page.close()
  })
})
