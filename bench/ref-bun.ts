// Reference server: the least a Bun.serve WebSocket push server can do (topics, no auth, no
// limits), so its numbers are the runtime's ceiling. Same routes and frame shapes as Socketizer.
import {
  parseListen,
  canonicalHost,
  refreshFrame,
  connectFrame,
  isRefreshPath,
} from './lib/ref-shared'

const LIVE_PREFIX = '/service/wordpress/live/'
const { hostname, port } = parseListen(process.argv.slice(2))
let lastId = 0

const server = Bun.serve<{ host: string }>({
  hostname,
  port,
  async fetch(req, srv) {
    const { pathname } = new URL(req.url)
    if (pathname.startsWith(LIVE_PREFIX)) {
      const host = canonicalHost(decodeURIComponent(pathname.slice(LIVE_PREFIX.length)))
      if (srv.upgrade(req, { data: { host } })) return
      return new Response('upgrade failed', { status: 400 })
    }
    if (req.method === 'POST' && isRefreshPath(pathname)) return refresh(await req.text())
    if (pathname === '/readyz') return new Response('ok')
    return new Response('not found', { status: 404 })
  },
  websocket: {
    open(ws) {
      ws.subscribe(ws.data.host)
      ws.send(connectFrame(String(++lastId)))
    },
    message() {},
  },
})

function refresh(body: string): Response {
  let frame: { host: string; text: string }
  try {
    frame = refreshFrame(body)
  } catch (err) {
    return Response.json({ error: { code: 'invalid_body', message: String(err) } }, { status: 400 })
  }
  const sent = server.subscriberCount(frame.host)
  server.publish(frame.host, frame.text)
  return Response.json({ sent })
}

console.log(JSON.stringify({ listening: `${server.hostname}:${server.port}` }))
