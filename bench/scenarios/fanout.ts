// fanout: N sockets on H hosts; R rounds of one plugin refresh per host. Per refresh, the time
// until its last socket has the frame; over all deliveries, p50 and p99 latency.
import { percentile, round, sum } from '../lib/stats'
import {
  clientCpuSeconds,
  deliveryLatencies,
  eachLimited,
  fmt,
  latencyMetrics,
  openSockets,
  refreshAndWait,
  type RefreshOutcome,
} from './common'
import type { Scenario } from './types'

// Refresh requests in flight at once within a round of many hosts.
const ROUND_CONCURRENCY = 16

export const fanout: Scenario = {
  name: 'fanout',
  maxSockets: (options) => Math.max(...options.sizes),
  hostsUsed: (options) => Math.max(...options.fanoutHosts),
  variants: (options) =>
    options.fanoutHosts.flatMap((hosts) =>
      options.sizes.map((sockets) => ({
        label: `n=${sockets} hosts=${hosts}`,
        params: { sockets, hosts, refreshes: options.refreshes },
      })),
    ),

  async run(ctx, variant) {
    const { sockets, hosts, refreshes } = variant.params as {
      sockets: number
      hosts: number
      refreshes: number
    }
    const hostList = ctx.hosts.slice(0, hosts)
    const { pool, opened } = await openSockets(ctx, sockets, hostList)
    try {
      const before = ctx.server.sample()
      const outcomes: RefreshOutcome[] = []
      for (let pass = 0; pass < refreshes; pass++) {
        const results = await eachLimited(hostList, ROUND_CONCURRENCY, (host) =>
          refreshAndWait(ctx, pool, host),
        )
        outcomes.push(...results)
        if (pass < refreshes - 1) await Bun.sleep(ctx.gapMs)
      }
      const after = ctx.server.sample()
      const report = await pool.report()
      const sentAt = new Map(outcomes.map((o) => [o.postId, o.sentAt]))
      const latencies = deliveryLatencies(report.receipts, sentAt)
      const lastMs = Float64Array.from(outcomes.map((o) => o.lastMs).filter(Number.isFinite)).sort()
      const delivered = latencies.length
      return {
        delivered,
        expected: sum(outcomes.map((o) => o.expected)),
        metrics: {
          lastMedianMs: round(percentile(lastMs, 50)),
          lastP99Ms: round(percentile(lastMs, 99)),
          lastMaxMs: round(percentile(lastMs, 100)),
          ...latencyMetrics(latencies),
          cpuSecPer100kFrames: round(
            ((after.cpuSeconds - before.cpuSeconds) / Math.max(1, delivered)) * 1e5,
          ),
          connected: opened.connected,
          reportedSent: sum(outcomes.map((o) => Math.max(0, o.reported))),
          failedRequests: outcomes.filter((o) => o.status < 200 || o.status > 299).length,
          duplicates: report.duplicates,
          wrongHost: report.wrongHost,
          rssMB: round(after.rssBytes / 2 ** 20, 1),
          clientCpuSec: round(clientCpuSeconds(pool), 2),
        },
      }
    } finally {
      await pool.stop()
    }
  },

  row: (s) =>
    `last ${fmt(s.lastMedianMs)} ms (p99 ${fmt(s.lastP99Ms)})  p50 ${fmt(s.p50Ms)}  ` +
    `p99 ${fmt(s.p99Ms)} ms  cpu/100k ${fmt(s.cpuSecPer100kFrames, 3)} s  rss ${fmt(s.rssMB)} MB`,
}
