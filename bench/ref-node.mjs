// Reference server: what a Node team would write with the ws package (a Map of hosts to Sets
// of sockets, one JSON.stringify per refresh, the ping heartbeat from the ws README).
// Same routes and frame shapes as Socketizer. Run with node.
import http from 'node:http'
import { WebSocketServer } from 'ws'

const LIVE_PREFIX = '/service/wordpress/live/'
const REFRESH_PATH = '/service/api/v1/wordpress/cmd/client/refresh/post'
const FIELDS = ['host', 'postUrl', 'postId', 'pageForPosts', 'what', 'commentUrl', 'commentId']
const HEARTBEAT_MS = 30_000

const hosts = new Map()
let lastId = 0

const listenArg = process.argv[process.argv.indexOf('--listen') + 1] ?? '127.0.0.1:0'
const [hostname, port] = listenArg.split(':')
const canonicalHost = (raw) => raw.toLowerCase().replace(/\/+$/, '')
const unixNanos = () => `${Date.now()}000000`

const wss = new WebSocketServer({ noServer: true, clientTracking: false })
const server = http.createServer(handleRequest)

server.on('upgrade', (req, socket, head) => {
  const { pathname } = new URL(req.url, 'http://localhost')
  if (!pathname.startsWith(LIVE_PREFIX)) return socket.destroy()
  const host = canonicalHost(decodeURIComponent(pathname.slice(LIVE_PREFIX.length)))
  wss.handleUpgrade(req, socket, head, (ws) => join(ws, host))
})

function join(ws, host) {
  let set = hosts.get(host)
  if (!set) hosts.set(host, (set = new Set()))
  set.add(ws)
  ws.isAlive = true
  ws.on('pong', () => (ws.isAlive = true))
  ws.on('close', () => {
    set.delete(ws)
    if (set.size === 0 && hosts.get(host) === set) hosts.delete(host)
  })
  const id = String(++lastId)
  ws.send(JSON.stringify({ Timestamp: unixNanos(), Data: { id, message: 'socketizer connected' } }))
}

function handleRequest(req, res) {
  const { pathname } = new URL(req.url, 'http://localhost')
  if (pathname === '/readyz') return res.end('ok')
  const isRefresh = pathname === REFRESH_PATH || pathname === `${REFRESH_PATH}/`
  if (req.method !== 'POST' || !isRefresh) {
    res.statusCode = 404
    return res.end('not found')
  }
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => refresh(Buffer.concat(chunks).toString('utf8'), res))
}

function refresh(body, res) {
  res.setHeader('content-type', 'application/json')
  let input
  try {
    input = JSON.parse(body)
    if (typeof input.host !== 'string' || input.host === '') throw new Error('missing host')
  } catch (err) {
    res.statusCode = 400
    return res.end(JSON.stringify({ error: { code: 'invalid_body', message: String(err) } }))
  }
  const data = { cmd: 'refreshPost' }
  for (const field of FIELDS) data[field] = String(input[field] ?? '')
  data.host = canonicalHost(input.host)
  const frame = JSON.stringify({ Timestamp: unixNanos(), Data: data })
  const set = hosts.get(data.host)
  let sent = 0
  if (set) {
    for (const ws of set) {
      ws.send(frame)
      sent++
    }
  }
  res.end(JSON.stringify({ sent }))
}

const heartbeat = setInterval(() => {
  for (const set of hosts.values()) {
    for (const ws of set) {
      if (!ws.isAlive) {
        ws.terminate()
        continue
      }
      ws.isAlive = false
      ws.ping()
    }
  }
}, HEARTBEAT_MS)
heartbeat.unref()

server.listen(Number(port), hostname, () => {
  const address = server.address()
  console.log(JSON.stringify({ listening: `${address.address}:${address.port}` }))
})
