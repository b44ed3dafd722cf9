import { afterAll, beforeAll, expect } from 'bun:test'
import { browserMissing, describe, test } from './browser'
import { openPage, sendBurst, startHarness, waitForUpdates, type Harness } from './harness'
import { refreshBody } from './site'

let h: Harness
beforeAll(async () => {
  if (browserMissing) return
  h = await startHarness()
})
afterAll(() => h?.close())

/** Set UPDATE_SCREENSHOTS=1 to rewrite the notice screenshot in docs/. */
const screenshotPath = process.env.UPDATE_SCREENSHOTS ? 'docs/client-notice.png' : null

describe('in-place update', () => {
  test('comment updates post and keeps typing', async () => {
    const open = await openPage(h.context, `${h.site.url}/hello-live-world/`)
    const { page } = open
    await page.evaluate(() => {
      Object.assign(window, { loadedOnce: true })
      Object.assign(document.querySelector('#post-5')!, { unchanged: true })
    })
    await page.fill('#comment', 'A half-written thought')
    const boxTop = await page.$eval('#comment', (box) => box.getBoundingClientRect().top)

    h.site.addComment(5, 'Ada', 'A comment from another visitor')
    const body = refreshBody(h.site, h.apiKey, 'comment', '/hello-live-world/', 5)
    expect((await h.server.refresh(body)).status).toBe(200)

    expect(await waitForUpdates(open, 1)).toEqual(['complete'])
    expect(await page.textContent('.comment-list')).toContain('A comment from another visitor')
    expect(await page.textContent('.comments-title')).toContain('1 thoughts')
    expect(await page.textContent('#secondary')).toContain('Ada: A comment from another')
    expect(await page.inputValue('#comment')).toBe('A half-written thought')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('comment')
    const boxTopAfter = await page.$eval('#comment', (box) => box.getBoundingClientRect().top)
    expect(Math.abs(boxTopAfter - boxTop)).toBeLessThan(2)
    expect(await page.evaluate(() => 'loadedOnce' in window)).toBe(true)
    expect(await page.evaluate(() => 'unchanged' in document.querySelector('#post-5')!)).toBe(true)
    expect(await page.locator('[data-socketizer-notice]').count()).toBe(0)
    expect(h.site.fetches('/hello-live-world/')).toHaveLength(1)
    await page.close()
  })

  test('edited field gets notice instead', async () => {
    const open = await openPage(h.context, `${h.site.url}/product/widget/`)
    const { page } = open
    await page.fill('#quantity', '3')
    h.site.state.stock = 2
    const body = refreshBody(h.site, h.apiKey, 'product', '/product/widget/', 9)
    expect((await h.server.refresh(body)).status).toBe(200)

    expect(await waitForUpdates(open, 1)).toEqual(['partial'])
    const refresh = page.locator('[data-socketizer-notice] .refresh')
    expect(await refresh.isVisible()).toBe(true)
    expect(await page.textContent('.stock')).toBe('2 in stock')
    expect(await page.inputValue('#quantity')).toBe('3')
    expect(await page.getAttribute('#quantity', 'max')).toBe('5')
    if (screenshotPath) await page.screenshot({ path: screenshotPath })

    await refresh.click()
    expect(await waitForUpdates(open, 2)).toEqual(['partial', 'complete'])
    expect(await page.inputValue('#quantity')).toBe('3')
    expect(await page.getAttribute('#quantity', 'max')).toBe('2')
    expect(await page.locator('[data-socketizer-notice]').count()).toBe(0)
    expect(h.site.fetches('/product/widget/')).toHaveLength(2)
    await page.close()
  })

  test('burst without coalescing fetches at most twice', async () => {
    // This server sends every refresh at once, so only the client's own merging limits fetches.
    const open = await openPage(h.context, `${h.site.url}/hello-live-world/`)
    const before = h.site.fetches('/hello-live-world/').length
    const body = refreshBody(h.site, h.apiKey, 'comment', '/hello-live-world/', 5)
    expect(await sendBurst(h, body, 20, 100)).toEqual(Array(20).fill(200))

    await open.sockets.until(() => open.sockets.refreshes().length === 20, '20 refresh frames')
    await Bun.sleep(1500)
    const added = h.site.fetches('/hello-live-world/').length - before
    expect(added).toBeGreaterThanOrEqual(1)
    expect(added).toBeLessThanOrEqual(2)
    await open.page.close()
  })

  test('hidden tab updates when shown', async () => {
    const open = await openPage(h.context, `${h.site.url}/hello-live-world/`)
    const { page } = open
    const before = h.site.fetches('/hello-live-world/').length
    await page.evaluate(() =>
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }),
    )
    h.site.addComment(5, 'Edsger', 'Read when the tab is back')
    await h.server.refresh(refreshBody(h.site, h.apiKey, 'comment', '/hello-live-world/', 5))
    await open.sockets.until(() => open.sockets.refreshes().length === 1, 'refresh frame')
    await Bun.sleep(1500)
    expect(h.site.fetches('/hello-live-world/').length).toBe(before)

    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false })
      document.dispatchEvent(new Event('visibilitychange'))
    })
    expect(await waitForUpdates(open, 1)).toEqual(['complete'])
    expect(await page.textContent('.comment-list')).toContain('Read when the tab is back')
    expect(h.site.fetches('/hello-live-world/').length).toBe(before + 1)
    await page.close()
  })

  test('operator notice is shown to visitors', async () => {
    const open = await openPage(h.context, `${h.site.url}/hello-live-world/`)
    const { page } = open
    const fetchesBefore = h.site.fetches('/hello-live-world/').length
    const { hub } = h.server.server.service
    const message = 'Maintenance tonight at 22:00 UTC'
    expect(
      hub.broadcast(JSON.stringify({ Timestamp: '0', Data: { cmd: 'notice', message } })),
    ).toBeGreaterThan(0)
    const notice = page.locator('[data-socketizer-notice]')
    await notice.waitFor()
    // Playwright's CSS locators pierce the notice's shadow root.
    expect(await page.locator('[data-socketizer-notice] span').textContent()).toBe(message)
    expect(await page.locator('[data-socketizer-notice] .refresh').count()).toBe(0)
    expect(h.site.fetches('/hello-live-world/')).toHaveLength(fetchesBefore)
    await page.close()
  })

  test('page without a region reloads', async () => {
    const open = await openPage(h.context, `${h.site.url}/product/widget/`)
    const { page } = open
    h.site.maintenance = true
    try {
      const reloaded = page.waitForEvent('load')
      await h.server.refresh(refreshBody(h.site, h.apiKey, 'product', '/product/widget/', 9))
      await reloaded
      expect(await page.textContent('body')).toContain('Briefly unavailable.')
    } finally {
      h.site.maintenance = false
    }
    await page.close()
  })

  test('page without a region keeps typing', async () => {
    const open = await openPage(h.context, `${h.site.url}/product/widget/`)
    const { page } = open
    await page.fill('#quantity', '4')
    h.site.maintenance = true
    try {
      await h.server.refresh(refreshBody(h.site, h.apiKey, 'product', '/product/widget/', 9))
      expect(await waitForUpdates(open, 1)).toEqual(['impossible'])
      expect(await page.locator('[data-socketizer-notice] .refresh').isVisible()).toBe(true)
      expect(await page.inputValue('#quantity')).toBe('4')
    } finally {
      h.site.maintenance = false
    }
    await page.close()
  })
})
