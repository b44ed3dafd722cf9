import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { refreshPath } from '../src/routes/refresh'
import { connect, pluginBody, startTestServer, type TestServer, type TestSocket } from './helpers'

let server: TestServer
let key: string
let otherKey: string
let expiredKey: string
let inactiveKey: string
let watchers: TestSocket[]

beforeAll(async () => {
  server = await startTestServer({ 'max-body-bytes': '1024' })
  key = await server.addSite('example.com')
  otherKey = await server.addSite('other.example')
  expiredKey = await server.addSite('old.example', { expiresAt: '2020-01-01' })
  inactiveKey = await server.addSite('off.example', { active: false })
  watchers = [
    await connect(server.wsUrl('example.com')),
    await connect(server.wsUrl('other.example')),
  ]
})

afterAll(async () => {
  // Every case above was refused, so no socket got more than its connect frame.
  for (const socket of watchers) expect(socket.frames).toHaveLength(1)
  await server.stop()
})

const post = (body: string, contentType = 'application/x-www-form-urlencoded') =>
  fetch(`${server.url}${refreshPath}/`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  })

const error = (code: string, message: string, field?: string) => ({
  error: field === undefined ? { code, message } : { code, message, field },
})

describe('refresh rejections', () => {
  test.each([
    [
      'malformed JSON',
      '{"host":',
      400,
      error('invalid_json', 'request body must be a JSON object'),
    ],
    [
      'JSON that is not an object',
      '[1,2]',
      400,
      error('invalid_body', 'request body must be a JSON object'),
    ],
    [
      'missing host',
      JSON.stringify({ apiKey: 'k', what: 'post' }),
      400,
      error('invalid_body', 'host is required', 'host'),
    ],
    [
      'wrong-typed host',
      JSON.stringify({ host: 5, apiKey: 'k', what: 'post' }),
      400,
      error('invalid_body', 'host must be a string', 'host'),
    ],
    [
      'missing apiKey',
      JSON.stringify({ host: 'example.com', what: 'post' }),
      400,
      error('invalid_body', 'apiKey is required', 'apiKey'),
    ],
    [
      'unknown what',
      JSON.stringify({ host: 'example.com', apiKey: 'k', what: 'page' }),
      400,
      error(
        'invalid_body',
        'what must be one of post, comment, product, bb_reply, bb_topic, bb_forum',
        'what',
      ),
    ],
    [
      'wrong-typed postUrl',
      JSON.stringify({ host: 'example.com', apiKey: 'k', what: 'post', postUrl: 1 }),
      400,
      error('invalid_body', 'postUrl must be a string', 'postUrl'),
    ],
  ])('%s is a 400', async (_name, body, status, expected) => {
    const response = await post(body)
    expect(response.status).toBe(status)
    expect(await response.json()).toEqual(expected)
  })

  test('invalid host names the host field', async () => {
    const response = await post(JSON.stringify(pluginBody('exa mple.com', key)))
    expect(response.status).toBe(400)
    const body = (await response.json()) as { error: Record<string, string> }
    expect(body.error.code).toBe('invalid_host')
    expect(body.error.field).toBe('host')
    expect(body.error.message).toContain('whitespace')
  })

  test('body over the limit is a 413', async () => {
    const response = await post(
      JSON.stringify(pluginBody('example.com', key, { postUrl: 'x'.repeat(2000) })),
    )
    expect(response.status).toBe(413)
    expect(await response.json()).toEqual(
      error('body_too_large', 'request body must be at most 1024 bytes'),
    )
  })

  test.each([
    ['unknown host', () => pluginBody('unknown.example', key), 401],
    ['wrong key', () => pluginBody('example.com', 'not-the-key'), 401],
    ['key of another site', () => pluginBody('example.com', otherKey), 401],
    ['expired site', () => pluginBody('old.example', expiredKey), 403],
    ['inactive site', () => pluginBody('off.example', inactiveKey), 403],
  ])('%s is rejected', async (_name, body, status) => {
    const response = await post(JSON.stringify(body()))
    expect(response.status).toBe(status)
    const { error: detail } = (await response.json()) as { error: Record<string, string> }
    expect(detail.code).toBe(status === 401 ? 'unauthorized' : 'forbidden')
  })

  test('GET on the refresh route is a 405', async () => {
    const response = await fetch(`${server.url}${refreshPath}/`)
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
    expect(await response.json()).toEqual(
      error('method_not_allowed', 'this route takes POST requests only'),
    )
  })

  test('body far over the limit is a JSON 413', async () => {
    const response = await post('x'.repeat(1_000_000))
    expect(response.status).toBe(413)
    expect(await response.json()).toEqual(
      error('body_too_large', 'request body must be at most 1024 bytes'),
    )
  })

  test('chunked body over the limit is a JSON 413', async () => {
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 100; i++)
          controller.enqueue(new TextEncoder().encode('x'.repeat(10_000)))
        controller.close()
      },
    })
    const response = await fetch(`${server.url}${refreshPath}/`, { method: 'POST', body: chunks })
    expect(response.status).toBe(413)
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'body_too_large',
    )
  })

  test('malformed Host header gets a JSON error', async () => {
    const { hostname, port } = new URL(server.url)
    const reply = Promise.withResolvers<string>()
    let text = ''
    const socket = await Bun.connect({
      hostname,
      port: Number(port),
      socket: {
        data: (_s, chunk) => void (text += chunk.toString()),
        close: () => reply.resolve(text),
        error: (_s, err) => reply.reject(err),
      },
    })
    socket.write('GET /nothing HTTP/1.1\r\nHost: a:b\r\nConnection: close\r\n\r\n')
    const raw = await reply.promise
    expect(raw).toStartWith('HTTP/1.1 404')
    expect(raw).toContain('{"error":{"code":"not_found","message":"no such route"}}')
    expect(raw.length).toBeLessThan(1000)
  })

  test('unknown route is a JSON 404', async () => {
    const response = await fetch(`${server.url}/service/api/v1/nothing`)
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual(error('not_found', 'no such route'))
  })
})

describe('refresh acceptance', () => {
  test('JSON content type and number ids are accepted', async () => {
    const fresh = await startTestServer()
    const siteKey = await fresh.addSite('example.com')
    const socket = await connect(fresh.wsUrl('example.com'))
    const body = { ...pluginBody('https://Example.com/', siteKey), postId: 42 }
    const response = await fetch(`${fresh.url}${refreshPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(response.status).toBe(200)
    const [, frame] = await socket.waitForFrames(2)
    expect(frame!.Data.host).toBe('example.com')
    expect(frame!.Data.postId).toBe('42')
    socket.close()
    await fresh.stop()
  })
})
