import { afterEach, expect, test } from 'bun:test'
import WebSocket from 'ws'
import { startTestServer, type TestServer } from './helpers'

let server: TestServer | undefined
afterEach(() => server?.stop())

/** Opens a `ws` client, which exposes pings and can leave them unanswered. */
function rawSocket(url: string, autoPong: boolean) {
  const socket = new WebSocket(url, { autoPong })
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
  const pinged = new Promise<void>((resolve) => socket.once('ping', () => resolve()))
  return { socket, closed, pinged }
}

test('idle socket is pinged and stays open', async () => {
  server = await startTestServer({ 'idle-timeout': '5' })
  await server.addSite('example.com')
  const client = rawSocket(server.wsUrl('example.com'), true)
  await client.pinged
  expect(client.socket.readyState).toBe(WebSocket.OPEN)
  expect(server.server.service.hub.socketsOf('example.com')).toBe(1)
  client.socket.close()
}, 30_000)

test('socket that never answers pings is closed', async () => {
  server = await startTestServer({ 'idle-timeout': '5' })
  await server.addSite('example.com')
  const client = rawSocket(server.wsUrl('example.com'), false)
  await client.pinged
  await client.closed
  while (server.server.service.hub.sockets > 0) await Bun.sleep(10)
  expect(server.server.service.hub.socketsOf('example.com')).toBe(0)
}, 40_000)

test('socket that stops reading is closed at the send buffer limit', async () => {
  server = await startTestServer({ 'send-buffer-bytes': '65536' })
  await server.addSite('slow.example')
  const client = rawSocket(server.wsUrl('slow.example'), true)
  await new Promise((resolve) => client.socket.once('message', resolve))
  // Stop reading: the kernel buffers fill, then Bun's queue for this socket grows to the limit.
  client.socket.pause()
  const { hub } = server.server.service
  const notice = 'x'.repeat(1000)
  const frame = JSON.stringify({ Timestamp: '0', Data: { cmd: 'notice', message: notice } })
  for (let i = 0; i < 50_000 && hub.socketsOf('slow.example') > 0; i++) {
    hub.broadcast(frame, 'slow.example')
    if (i % 500 === 0) await Bun.sleep(1)
  }
  expect(hub.socketsOf('slow.example')).toBe(0)
  client.socket.terminate()
})
