import { describe, expect, test } from 'bun:test'
import { reconnectDelay } from '../src/client/connection'
import { concernsPage, liveUrl, normaliseUrl, type RefreshData } from '../src/client/urls'

const page = 'https://example.com/hello-world/'

describe('normaliseUrl', () => {
  test.each([
    ['http://example.com/hello-world', 'https://EXAMPLE.com/hello-world/#comment-3'],
    ['https://example.com/?p=5&amp;x=1', 'https://example.com/?x=1&p=5'],
    ['https://example.com/?p=5&#038;x=1', 'http://example.com/?p=5&x=1'],
    ['https://example.com/blog', 'https://example.com/blog/page/3/'],
    ['https://example.com/post/', 'https://example.com/post/comment-page-2/#comments'],
    ['https://example.com/post/', 'https://example.com/post/?utm_source=feed&replytocom=4'],
    ['https://example.com/caf%C3%A9/', 'https://example.com/café'],
  ])('%s equals %s', (a, b) => {
    expect(normaliseUrl(a, page)).toBe(normaliseUrl(b, page))
  })

  test.each([
    ['https://example.com/a/', 'https://example.com/b/'],
    ['https://example.com/?p=5', 'https://example.com/?p=6'],
    ['https://example.com/', 'https://example.com:8080/'],
  ])('%s differs from %s', (a, b) => {
    expect(normaliseUrl(a, page)).not.toBe(normaliseUrl(b, page))
  })

  test('empty and invalid URLs are null', () => {
    expect(normaliseUrl('', page)).toBeNull()
    expect(normaliseUrl(undefined, page)).toBeNull()
    expect(normaliseUrl('http://[bad', page)).toBeNull()
  })
})

describe('concernsPage', () => {
  const config = { host: 'example.com', postsPage: 'https://example.com/blog/' }
  const noClasses = { contains: (_token: string) => false }
  const frame = (what: string, extra: Partial<RefreshData> = {}): RefreshData => ({
    what,
    postUrl: 'https://example.com/hello-world/',
    postId: '5',
    pageForPosts: 'https://example.com/news/',
    ...extra,
  })
  const concerns = (data: RefreshData, url: string, classes = noClasses) =>
    concernsPage(data, config, url, classes)

  test('comment concerns only its post', () => {
    expect(concerns(frame('comment'), 'https://example.com/hello-world/')).toBe(true)
    expect(concerns(frame('comment'), 'https://example.com/news/')).toBe(false)
    expect(concerns(frame('comment'), 'https://example.com/other/')).toBe(false)
  })

  test('post concerns its page and the index', () => {
    expect(concerns(frame('post'), 'https://example.com/hello-world/')).toBe(true)
    expect(concerns(frame('post'), 'https://example.com/news/page/2/')).toBe(true)
    expect(concerns(frame('post'), 'https://example.com/blog/')).toBe(false)
    expect(concerns(frame('post'), 'https://example.com/')).toBe(false)
  })

  test('index falls back to postsPage, then home', () => {
    const noIndex = frame('post', { pageForPosts: '' })
    expect(concerns(noIndex, 'https://example.com/blog/')).toBe(true)
    const home = { host: 'example.com' }
    expect(concernsPage(noIndex, home, 'https://example.com/', noClasses)).toBe(true)
  })

  test('home as posts index', () => {
    const data = frame('post', { pageForPosts: 'http://example.com' })
    expect(concerns(data, 'https://example.com/')).toBe(true)
  })

  test.each(['product', 'bb_reply', 'bb_topic', 'bb_forum'])('%s concerns its postUrl', (what) => {
    const data = frame(what, { postUrl: 'https://example.com/forums/topic/t/' })
    expect(concerns(data, 'https://example.com/forums/topic/t/')).toBe(true)
    expect(concerns(data, 'https://example.com/news/')).toBe(false)
  })

  test('post id body class matches', () => {
    const classes = new Set(['single', 'postid-5'])
    const body = { contains: (token: string) => classes.has(token) }
    const shortlink = frame('comment', { postUrl: 'https://example.com/?p=5' })
    expect(concerns(shortlink, 'https://example.com/renamed/', body)).toBe(true)
    const otherPost = frame('comment', { postUrl: 'https://example.com/?p=6', postId: '6' })
    expect(concerns(otherPost, 'https://example.com/renamed/', body)).toBe(false)
  })

  test('empty postUrl concerns nothing', () => {
    expect(concerns(frame('comment', { postUrl: '', postId: '' }), page)).toBe(false)
  })
})

describe('liveUrl', () => {
  test.each([
    [
      'https://push.example.net/service/static/wordpress/socketizer.min.js?ver=1.0.0',
      'wss://push.example.net/service/wordpress/live/example.com/blog',
    ],
    [
      'http://127.0.0.1:8080/service/static/wordpress/socketizer.js',
      'ws://127.0.0.1:8080/service/wordpress/live/example.com/blog',
    ],
    [
      'https://example.com/push/service/static/wordpress/socketizer.min.js',
      'wss://example.com/push/service/wordpress/live/example.com/blog',
    ],
  ])('%s', (src, expected) => {
    expect(liveUrl(src, 'example.com/blog', page)).toBe(expected)
  })

  test('host scheme dropped, path encoded once', () => {
    const src = 'https://push.example.net/service/static/wordpress/socketizer.min.js'
    expect(liveUrl(src, 'https://example.com/café', page)).toBe(
      'wss://push.example.net/service/wordpress/live/example.com/caf%C3%A9',
    )
    expect(liveUrl(src, 'example.com/caf%C3%A9', page)).toBe(
      'wss://push.example.net/service/wordpress/live/example.com/caf%C3%A9',
    )
  })
})

describe('reconnectDelay', () => {
  const max = () => 0.999999
  const min = () => 0

  test.each([4400, 4403, 1009])('%p stops', (code) => {
    expect(reconnectDelay(code, 0)).toBeNull()
  })

  test('backoff doubles up to 30 s with full jitter', () => {
    expect(reconnectDelay(1006, 0, min)).toBe(0)
    expect(reconnectDelay(1006, 0, max)).toBeCloseTo(1000, -1)
    expect(reconnectDelay(1006, 3, max)).toBeCloseTo(8000, -1)
    expect(reconnectDelay(1006, 20, max)).toBeCloseTo(30_000, -1)
  })

  test('host limit waits minutes', () => {
    expect(reconnectDelay(4429, 0, min)).toBe(60_000)
    expect(reconnectDelay(4429, 10, max)).toBeCloseTo(660_000, -1)
  })

  test('paused service waits at least 15 s', () => {
    expect(reconnectDelay(4503, 0, min)).toBe(15_000)
    expect(reconnectDelay(4503, 0, max)).toBeCloseTo(30_000, -1)
  })

  test('shutdown spreads over the drain window', () => {
    expect(reconnectDelay(1001, 7, min)).toBe(0)
    expect(reconnectDelay(1001, 7, max)).toBeCloseTo(5000, -1)
  })
})
