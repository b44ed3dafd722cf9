// API load child: sends refresh requests with a fixed number in flight and reports the outcome
// over IPC. Stops after `requests` requests or `maxSeconds`, whichever comes first.
import { pluginBody, sendRefresh, REFRESH_PATH } from '../lib/plugin-request'

export interface ApiLoadCommand {
  address: string
  host: string
  apiKey: string
  concurrency: number
  requests: number
  maxSeconds: number
  mode: 'plugin' | 'keepalive'
}

export interface ApiLoadResult {
  issued: number
  ok: number
  non2xx: number
  errors: number
  seconds: number
  /** Latency of every completed request, in ms, sorted. */
  latencies: number[]
  firstError: string
}

async function sendKeepAlive(address: string, fields: Parameters<typeof pluginBody>[0]) {
  const res = await fetch(`http://${address}${REFRESH_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: pluginBody(fields),
  })
  return { status: res.status, body: await res.text() }
}

async function run(cmd: ApiLoadCommand): Promise<ApiLoadResult> {
  const result: ApiLoadResult = {
    issued: 0,
    ok: 0,
    non2xx: 0,
    errors: 0,
    seconds: 0,
    latencies: [],
    firstError: '',
  }
  const started = performance.now()
  const deadline = started + cmd.maxSeconds * 1000
  const send = cmd.mode === 'plugin' ? sendRefresh : sendKeepAlive
  const worker = async () => {
    while (result.issued < cmd.requests && performance.now() < deadline) {
      const postId = String(++result.issued)
      const at = performance.now()
      try {
        const reply = await send(cmd.address, { host: cmd.host, apiKey: cmd.apiKey, postId })
        if (reply.status >= 200 && reply.status < 300) result.ok++
        else {
          result.non2xx++
          result.firstError ||= `HTTP ${reply.status}: ${reply.body.slice(0, 200)}`
        }
        result.latencies.push(performance.now() - at)
      } catch (err) {
        result.errors++
        result.firstError ||= (err as Error).message
      }
    }
  }
  await Promise.all(Array.from({ length: cmd.concurrency }, worker))
  result.seconds = (performance.now() - started) / 1000
  result.latencies.sort((a, b) => a - b)
  return result
}

// The driver stops this process once it has the result. Exiting right after process.send() can
// lose the message: the driver then saw the exit first and no result.
process.on('disconnect', () => process.exit(0))
process.on('message', async (cmd: ApiLoadCommand) => {
  process.send!(await run(cmd))
})
