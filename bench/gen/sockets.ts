// Load generator child: opens visitor sockets on the driver's request and records when each
// refreshPost frame arrives. Commands and replies travel over Bun's IPC channel (see protocol.ts).
import { openClient, type Client, type ClientKind } from './client'
import type { GenCommand, OpenCommand, OpenResult, GenReport } from './protocol'

interface Conn {
  client: Client
  host: string
  connected: boolean
  leaving: boolean
  closeRequested: boolean
  lastPostId: string
}

const now = () => performance.timeOrigin + performance.now()
const live: Conn[] = []
const openByHost = new Map<string, number>()
const receipts = new Map<string, number[]>()
const anomalies = { duplicates: 0, wrongHost: 0, unexpectedCloses: 0, badFrames: 0 }
// Sockets this generator asked to close whose close event has not arrived yet.
let closing = 0
let onAllClosed: (() => void) | undefined
let kind: ClientKind = 'ws'

function send(message: object) {
  process.send!(message)
}

function addOpen(host: string, delta: number) {
  openByHost.set(host, (openByHost.get(host) ?? 0) + delta)
}

function onRefresh(conn: Conn, data: Record<string, unknown>) {
  const postId = String(data.postId)
  if (data.host !== conn.host) anomalies.wrongHost++
  if (postId === conn.lastPostId) {
    anomalies.duplicates++
    return
  }
  conn.lastPostId = postId
  let times = receipts.get(postId)
  if (!times) receipts.set(postId, (times = []))
  const at = now()
  times.push(at)
  if (times.length === openByHost.get(conn.host)) {
    send({ ev: 'complete', postId, host: conn.host, count: times.length, last: at })
  }
}

function openOne(url: string, host: string, localAddress: string | undefined, settle: Settle) {
  const conn: Conn = {
    client: undefined!,
    host,
    connected: false,
    leaving: false,
    closeRequested: false,
    lastPostId: '',
  }
  conn.client = openClient(kind, url + host, localAddress, {
    message(text) {
      if (conn.leaving) return
      let frame: { Data?: Record<string, unknown> }
      try {
        frame = JSON.parse(text)
      } catch {
        anomalies.badFrames++
        return
      }
      const data = frame.Data ?? {}
      if (data.cmd === 'refreshPost') return onRefresh(conn, data)
      if (!conn.connected && data.message === 'socketizer connected') {
        conn.connected = true
        live.push(conn)
        addOpen(host, 1)
        settle('connected', '')
      }
    },
    rejected: (status) => settle('refused', `http ${status}`),
    close(code) {
      if (conn.closeRequested && --closing === 0) onAllClosed?.()
      if (conn.connected && !conn.leaving) {
        conn.leaving = true
        anomalies.unexpectedCloses++
        addOpen(host, -1)
        removeLive(conn)
      }
      const refusal = (code >= 4000 && code <= 4999) || code === 1013
      settle(refusal ? 'refused' : 'failed', `close ${code}`)
    },
    error: (message) => settle('failed', message),
  })
  return conn
}

type Outcome = 'connected' | 'refused' | 'failed'
type Settle = (outcome: Outcome, detail: string) => void

function removeLive(conn: Conn) {
  const at = live.indexOf(conn)
  if (at >= 0) live.splice(at, 1)
}

/** Interleaves hosts so every host fills at the same pace. */
function hostQueue(plan: [string, number][]): string[] {
  const queue: string[] = []
  const left = plan.map(([, count]) => count)
  for (let added = true; added;) {
    added = false
    plan.forEach(([host], i) => {
      if (left[i]! > 0) {
        left[i]!--
        queue.push(host)
        added = true
      }
    })
  }
  return queue
}

function runOpen(cmd: OpenCommand): Promise<OpenResult> {
  const queue = hostQueue(cmd.plan)
  const result: OpenResult = {
    connected: 0,
    refused: 0,
    failed: 0,
    reasons: {},
    startedAt: now(),
    lastConnectedAt: 0,
  }
  let next = 0
  let inflight = 0
  return new Promise((resolve) => {
    const pump = () => {
      while (inflight < cmd.inflight && next < queue.length) start(queue[next]!, next++)
      if (inflight === 0 && next >= queue.length) resolve(result)
    }
    const start = (host: string, index: number) => {
      inflight++
      let settled = false
      let timer: Timer | undefined
      const settle: Settle = (outcome, detail) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        inflight--
        result[outcome]++
        if (outcome === 'connected') result.lastConnectedAt = now()
        else result.reasons[detail] = (result.reasons[detail] ?? 0) + 1
        pump()
      }
      const source = cmd.sourceAddrs[index % Math.max(1, cmd.sourceAddrs.length)]
      const conn = openOne(cmd.url, host, source, settle)
      timer = setTimeout(() => {
        settle('failed', 'timeout')
        conn.leaving = true
        conn.client.terminate()
      }, cmd.timeoutMs)
    }
    pump()
  })
}

function closeOldest(count: number): number {
  const leaving = live.splice(0, Math.min(count, live.length))
  for (const conn of leaving) {
    conn.leaving = true
    conn.closeRequested = true
    closing++
    addOpen(conn.host, -1)
    conn.client.close()
  }
  return leaving.length
}

/**
 * Closes every socket with a WebSocket close handshake and waits (boundedly) for the server to
 * close TCP first, so TIME_WAIT lands on the server side and does not pin this side's ports.
 */
async function closeAll() {
  closeOldest(live.length)
  if (closing === 0) return
  await Promise.race([new Promise<void>((resolve) => (onAllClosed = resolve)), Bun.sleep(3000)])
}

function report(): GenReport {
  const out: GenReport = { receipts: Object.fromEntries(receipts), ...anomalies }
  receipts.clear()
  return out
}

process.on('message', async (cmd: GenCommand) => {
  if (cmd.op === 'open') {
    kind = cmd.client
    const result = await runOpen(cmd)
    send({ id: cmd.id, ev: 'opened', ...result, openByHost: Object.fromEntries(openByHost) })
  } else if (cmd.op === 'close') {
    const closed = closeOldest(cmd.count)
    send({ id: cmd.id, ev: 'closed', closed, openByHost: Object.fromEntries(openByHost) })
  } else if (cmd.op === 'report') {
    send({ id: cmd.id, ev: 'report', ...report() })
  } else if (cmd.op === 'exit') {
    await closeAll()
    process.exit(0)
  }
})

// The driver normally sends 'exit'; losing its IPC channel means it died, so stop too.
process.on('disconnect', () => process.exit(1))
send({ ev: 'ready' })
