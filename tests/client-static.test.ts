import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { request } from 'node:http'
import { gunzipSync } from 'node:zlib'
import { acceptsGzip } from '../src/routes/client'
import { startTestServer, type TestServer } from './helpers'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.stop())

const scriptUrl = (name: string) => `${server.url}/service/static/wordpress/${name}`

/** Sends a GET without automatic decompression, to get the bytes and headers a browser gets. */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      request(url, { headers }, (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        )
      })
        .on('error', reject)
        .end()
    },
  )
}

describe.each(['socketizer.js', 'socketizer.min.js'])('%s', (name) => {
  test('has type and caching headers', async () => {
    const response = await rawGet(scriptUrl(name), {})
    expect(response.status).toBe(200)
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(response.headers['cache-control']).toMatch(/^public, max-age=\d+$/)
    expect(response.headers['etag']).toMatch(/^"[\w-]{32}"$/)
    expect(response.headers['vary']).toBe('Accept-Encoding')
    expect(response.headers['content-encoding']).toBeUndefined()
    expect(response.body.toString()).toContain('socketizer connected')
  })

  test('answers 304 to its ETag', async () => {
    const first = await rawGet(scriptUrl(name), {})
    const etag = String(first.headers['etag'])
    const again = await rawGet(scriptUrl(name), { 'if-none-match': `"other", W/${etag}` })
    expect(again.status).toBe(304)
    expect(again.body).toHaveLength(0)
    expect(again.headers['etag']).toBe(etag)
    const changed = await rawGet(scriptUrl(name), { 'if-none-match': '"other"' })
    expect(changed.status).toBe(200)
  })

  test('sends gzip when accepted', async () => {
    const plain = await rawGet(scriptUrl(name), {})
    const zipped = await rawGet(scriptUrl(name), { 'accept-encoding': 'gzip, br' })
    expect(zipped.headers['content-encoding']).toBe('gzip')
    expect(zipped.headers['etag']).not.toBe(plain.headers['etag'])
    expect(gunzipSync(zipped.body).toString()).toBe(plain.body.toString())
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2)
  })
})

test('minified client is minified', async () => {
  const plain = await (await fetch(scriptUrl('socketizer.js'))).text()
  const minified = await (await fetch(scriptUrl('socketizer.min.js'))).text()
  expect(minified.length).toBeLessThan(plain.length * 0.6)
  // Local names are renamed and comments dropped.
  expect(plain).toContain('missedSpread')
  expect(minified).not.toContain('missedSpread')
  expect(minified).not.toContain('// ')
  expect(() => new Function(minified)).not.toThrow()
})

test('minified client stays within its size budget', async () => {
  // The README states the size; this budget catches growth that would make that line stale.
  const minified = new Uint8Array(await (await fetch(scriptUrl('socketizer.min.js'))).arrayBuffer())
  expect(minified.byteLength).toBeLessThan(12_000)
  expect(Bun.gzipSync(minified, { level: 9 }).byteLength).toBeLessThan(5_000)
})

test.each([
  ['gzip, deflate, br', true],
  ['br;q=1.0, gzip;q=0.8', true],
  ['*', true],
  ['gzip;q=0', false],
  ['identity', false],
  ['', false],
])('Accept-Encoding %p takes gzip: %p', (header, expected) => {
  expect(acceptsGzip(header)).toBe(expected)
})
