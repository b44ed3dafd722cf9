// api: refresh requests per second at a fixed concurrency against a host without sockets, with
// and without other hosts holding sockets. Requests come from a separate child process.
import type { ApiLoadCommand, ApiLoadResult } from '../gen/api-load'
import { percentile, round } from '../lib/stats'
import { fmt, openSockets } from './common'
import type { RunContext, Scenario } from './types'

const API_LOAD_SCRIPT = new URL('../gen/api-load.ts', import.meta.url).pathname
// Bound on one api run; the request count normally ends it much sooner.
const MAX_SECONDS = 120

function runApiLoad(cmd: ApiLoadCommand): Promise<ApiLoadResult> {
  return new Promise((resolve, reject) => {
    const child = Bun.spawn({
      cmd: [process.execPath, API_LOAD_SCRIPT],
      stdio: ['ignore', 'inherit', 'inherit'],
      ipc: (message: ApiLoadResult) => {
        resolve(message)
        child.kill()
      },
    })
    child.send(cmd)
    const timer = setTimeout(() => child.kill('SIGKILL'), (cmd.maxSeconds + 30) * 1000)
    child.exited.then((code) => {
      clearTimeout(timer)
      // After a result this rejection is ignored, because the promise has already settled.
      reject(new Error(`api load child exited with code ${code} before sending its result`))
    })
  })
}

async function withSockets<T>(ctx: RunContext, sockets: number, work: () => Promise<T>) {
  if (sockets === 0) return work()
  const { pool } = await openSockets(ctx, sockets, ctx.hosts.slice(0, ctx.options.connectHosts))
  try {
    return await work()
  } finally {
    await pool.stop()
  }
}

export const api: Scenario = {
  name: 'api',
  maxSockets: (options) => Math.max(0, ...options.apiSockets),
  hostsUsed: (options) => (options.apiSockets.some((n) => n > 0) ? options.connectHosts : 0),
  variants: (options) =>
    options.apiSockets.map((sockets) => ({
      label: `sockets=${sockets} c=${options.apiConcurrency}`,
      params: { sockets, concurrency: options.apiConcurrency, requests: options.apiRequests },
    })),

  async run(ctx, variant) {
    const { sockets, concurrency, requests } = variant.params as {
      sockets: number
      concurrency: number
      requests: number
    }
    return withSockets(ctx, sockets, async () => {
      const before = ctx.server.sample()
      const result = await runApiLoad({
        address: ctx.server.address,
        host: ctx.idleHost,
        apiKey: ctx.server.apiKeyFor(ctx.idleHost),
        concurrency: concurrency,
        requests: requests,
        maxSeconds: MAX_SECONDS,
        mode: ctx.options.apiMode,
      })
      const after = ctx.server.sample()
      const done = result.ok + result.non2xx
      return {
        delivered: result.ok,
        expected: requests,
        metrics: {
          requestsPerSec: round(done / result.seconds, 1),
          p50Ms: round(percentile(result.latencies, 50)),
          p99Ms: round(percentile(result.latencies, 99)),
          non2xx: result.non2xx,
          errors: result.errors,
          cpuSecPer1kRequests: round(
            ((after.cpuSeconds - before.cpuSeconds) / Math.max(1, done)) * 1000,
          ),
          rssMB: round(after.rssBytes / 2 ** 20, 1),
        },
        detail: result.firstError ? { firstError: result.firstError } : undefined,
      }
    })
  },

  row: (s) =>
    `req/s ${fmt(s.requestsPerSec, 0)}  p50 ${fmt(s.p50Ms, 2)}  p99 ${fmt(s.p99Ms, 2)} ms  ` +
    `cpu/1k ${fmt(s.cpuSecPer1kRequests, 3)} s  non2xx ${fmt(s.non2xx, 0)}  errors ${fmt(s.errors, 0)}`,
}
