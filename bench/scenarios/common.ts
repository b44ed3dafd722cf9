// Steps several scenarios share: opening sockets, sending refreshes, turning receipts into latency.
import { GeneratorPool, type OpenTotals } from '../lib/generators'
import { sendRefresh } from '../lib/plugin-request'
import { percentile, round } from '../lib/stats'
import { sampleProcess, type ProcSample } from '../lib/proc'
import type { RunContext } from './types'

export const now = () => performance.timeOrigin + performance.now()

export async function openSockets(ctx: RunContext, sockets: number, hosts: string[]) {
  const pool = await GeneratorPool.spawn(GeneratorPool.sizeFor(sockets, ctx.options.generators))
  const startedAt = now()
  let opened: OpenTotals
  try {
    opened = await pool.open(ctx.liveUrl, sockets, hosts, ctx.clientOptions)
  } catch (err) {
    await pool.stop()
    throw err
  }
  return { pool, opened, startedAt }
}

export interface RefreshOutcome {
  postId: string
  host: string
  sentAt: number
  /** Sockets open on the host when the request went out. */
  expected: number
  /** Sockets the server reported reaching (`sent`, or Socketizer's `sockets`), -1 when none. */
  reported: number
  status: number
  /** Time from sending the request until the last socket had the frame, in ms. */
  lastMs: number
}

/** Sends one plugin refresh and waits until every socket on the host has its frame. */
export async function refreshAndWait(
  ctx: RunContext,
  pool: GeneratorPool,
  host: string,
): Promise<RefreshOutcome> {
  const postId = ctx.nextPostId()
  const expected = pool.openOn(host)
  const sentAt = now()
  const fields = { host, apiKey: ctx.server.apiKeyFor(host), postId }
  const reply = await sendRefresh(ctx.server.address, fields).catch((err: Error) => ({
    status: 0,
    body: err.message,
  }))
  let reported = -1
  try {
    const body = JSON.parse(reply.body) as { sent?: number; sockets?: number }
    reported = Number(body.sent ?? body.sockets ?? -1)
  } catch {
    // A non-JSON reply keeps reported at -1; the status shows what went wrong.
  }
  const waitMs = expected === 0 ? 0 : 5000 + expected / 10
  const last = await pool.waitDelivered(postId, host, waitMs)
  const lastMs = last > 0 ? last - sentAt : NaN
  return { postId, host, sentAt, expected, reported, status: reply.status, lastMs }
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function eachLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** Latency of every delivery, in ms, given the send time of each postId. */
export function deliveryLatencies(receipts: Record<string, number[]>, sentAt: Map<string, number>) {
  const latencies: number[] = []
  for (const [postId, times] of Object.entries(receipts)) {
    const start = sentAt.get(postId)
    if (start === undefined) continue
    for (const at of times) latencies.push(at - start)
  }
  return Float64Array.from(latencies).sort()
}

export function latencyMetrics(sorted: Float64Array) {
  return {
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.length ? sorted[sorted.length - 1]! : NaN),
  }
}

/** One sample of a time series: seconds since `start`, RSS, descriptors, CPU and open sockets. */
export interface Point {
  t: number
  rssMB: number
  fds: number
  cpuSec: number
  sockets: number
}

export function point(sample: ProcSample, start: number, sockets: number): Point {
  return {
    t: round((sample.at - start) / 1000, 1),
    rssMB: round(sample.rssBytes / 2 ** 20, 1),
    fds: sample.fds,
    cpuSec: round(sample.cpuSeconds, 2),
    sockets,
  }
}

/** CPU seconds used by the generator processes since they started. */
export function clientCpuSeconds(pool: GeneratorPool): number {
  return pool.pids.reduce((total, pid) => total + sampleProcess(pid).cpuSeconds, 0)
}

export function fmt(value: { median: number; min: number; max: number } | undefined, digits = 1) {
  if (!value || !Number.isFinite(value.median)) return '-'
  const f = (x: number) => x.toFixed(digits)
  return `${f(value.median)} [${f(value.min)}-${f(value.max)}]`
}
