import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, startBinary, type BinaryServer } from './binary'
import { connect, type TestSocket } from './helpers'

const fixture = (name: string) => readFileSync(join(import.meta.dir, 'fixtures/wordpress', name))
const placeholderKey = 'REPLACE-WITH-SITE-API-KEY-000000000000000000'
const site = '127.0.0.1:8000'
const otherSite = 'other.example'

/** Sends raw request bytes over TCP; reads the reply unless `readReply` is false. */
async function sendRaw(url: string, bytes: Buffer, readReply: boolean): Promise<string> {
  const { hostname, port } = new URL(url)
  const reply = Promise.withResolvers<string>()
  let received = ''
  const socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data(_socket, chunk) {
        received += chunk.toString()
      },
      close() {
        reply.resolve(received)
      },
      error(_socket, error) {
        reply.reject(error)
      },
    },
  })
  socket.write(bytes)
  if (!readReply) {
    socket.end()
    return ''
  }
  return reply.promise
}

const withKey = (bytes: Buffer, key: string) =>
  Buffer.from(bytes.toString('latin1').replace(placeholderKey, key), 'latin1')

describe('compiled binary end to end', () => {
  let server: BinaryServer
  let apiKey: string
  let otherKey: string
  let visitors: TestSocket[]
  let others: TestSocket[]
  const dataDir = mkdtempSync(join(tmpdir(), 'socketizer-e2e-'))
  const wsUrl = (host: string) =>
    `${server.url.replace('http', 'ws')}/service/wordpress/live/${host}`

  beforeAll(async () => {
    const added = await runCli(['site', 'add', site, '--data-dir', dataDir, '--json'])
    expect(added.code).toBe(0)
    apiKey = JSON.parse(added.stdout).apiKey
    expect(apiKey).toHaveLength(placeholderKey.length)
    otherKey = JSON.parse(
      (await runCli(['site', 'add', otherSite, '--data-dir', dataDir, '--json'])).stdout,
    ).apiKey
    server = await startBinary(['--coalesce-window-ms', '0'], dataDir)
    visitors = await Promise.all([1, 2, 3].map(() => connect(wsUrl(site))))
    others = await Promise.all([1, 2].map(() => connect(wsUrl(otherSite))))
  })

  afterAll(async () => {
    for (const socket of [...visitors, ...others]) socket.close()
    expect(await server.stop()).toBe(0)
  })

  const refreshUrl = () => `${server.url}/service/api/v1/wordpress/cmd/client/refresh/post/`
  const pluginRequest = (postId: string, url = refreshUrl()) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
      body: JSON.stringify({
        host: site,
        apiKey,
        postUrl: `http://${site}/hello-live-world/`,
        postId,
        pageForPosts: `http://${site}`,
        what: 'post',
        commentUrl: '',
        commentId: '',
      }),
    })

  test('plugin request refreshes every socket of its site once', async () => {
    const response = await pluginRequest('5')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      host: site,
      sockets: 3,
      seq: expect.any(Number),
      coalesced: false,
    })
    for (const socket of visitors) {
      const [, frame] = await socket.waitForFrames(2)
      expect(frame!.Data).toEqual({
        cmd: 'refreshPost',
        host: site,
        postUrl: `http://${site}/hello-live-world/`,
        postId: '5',
        pageForPosts: `http://${site}`,
        what: 'post',
        commentUrl: '',
        commentId: '',
        seq: expect.stringMatching(/^\d+$/),
        spread: expect.stringMatching(/^\d+$/),
      })
    }
  })

  test('route without trailing slash refreshes too', async () => {
    const response = await pluginRequest('6', refreshUrl().slice(0, -1))
    expect(response.status).toBe(200)
    for (const socket of visitors) {
      const frames = await socket.waitForFrames(3)
      expect(frames.map((f) => f.Data.postId)).toEqual([undefined, '5', '6'])
    }
  })

  test('curl transport capture refreshes the site', async () => {
    const reply = await sendRaw(
      server.url,
      withKey(fixture('refresh-post-curl.http'), apiKey),
      true,
    )
    expect(reply).toStartWith('HTTP/1.1 200')
    for (const socket of visitors) expect((await socket.waitForFrames(4))[3]!.Data.postId).toBe('5')
  })

  test('fsockopen capture that closes early refreshes the site', async () => {
    await sendRaw(server.url, withKey(fixture('refresh-post-fsockopen.http'), apiKey), false)
    for (const socket of visitors) expect((await socket.waitForFrames(5))[4]!.Data.postId).toBe('6')
  })

  test('other site got nothing of the first', async () => {
    const response = await fetch(refreshUrl(), {
      method: 'POST',
      body: JSON.stringify({ host: otherSite, apiKey: otherKey, what: 'comment', postId: '9' }),
    })
    expect(response.status).toBe(200)
    for (const socket of others) {
      const frames = await socket.waitForFrames(2)
      expect(frames[1]!.Data).toMatchObject({ host: otherSite, postId: '9', what: 'comment' })
      expect(socket.refreshFrames()).toHaveLength(1)
    }
    for (const socket of visitors) expect(socket.refreshFrames()).toHaveLength(4)
  })

  test('key of another site is rejected and sends nothing', async () => {
    const response = await fetch(refreshUrl(), {
      method: 'POST',
      body: JSON.stringify({ host: site, apiKey: otherKey, what: 'post' }),
    })
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({
      error: {
        code: 'unauthorized',
        message: 'apiKey is not a valid key for this host',
        field: 'apiKey',
      },
    })
    const marker = await fetch(refreshUrl(), {
      method: 'POST',
      body: JSON.stringify({ host: otherSite, apiKey: otherKey, what: 'post', postId: 'marker' }),
    })
    expect(marker.status).toBe(200)
    for (const socket of others) await socket.waitForFrames(3)
    for (const socket of visitors) expect(socket.refreshFrames()).toHaveLength(4)
  })

  test('site added while serving is admitted', async () => {
    const added = await runCli(['site', 'add', 'late.example', '--data-dir', dataDir])
    expect(added.code).toBe(0)
    expect(added.stdout).toContain('API key')
    const socket = await connect(wsUrl('late.example'))
    expect(socket.frames[0]!.Data.message).toBe('socketizer connected')
    socket.close()
  })
})
