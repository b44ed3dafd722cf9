// soak: a steady population of sockets with churn (some leave and as many join every second) and
// one refresh per second, round-robin over the hosts. Samples RSS and descriptors over time.
import { round, sum } from '../lib/stats'
import {
  deliveryLatencies,
  fmt,
  latencyMetrics,
  openSockets,
  point,
  refreshAndWait,
  type Point,
  type RefreshOutcome,
} from './common'
import type { Scenario } from './types'

const TICK_MS = 1000

export const soak: Scenario = {
  name: 'soak',
  maxSockets: (options) => options.soakSockets + options.soakChurn,
  hostsUsed: (options) => options.soakHosts,
  variants: (options) => [
    {
      label: `n=${options.soakSockets} churn=${options.soakChurn}/s ${options.soakSeconds}s`,
      params: {
        sockets: options.soakSockets,
        churn: options.soakChurn,
        hosts: options.soakHosts,
        seconds: options.soakSeconds,
      },
    },
  ],

  async run(ctx, variant) {
    const { sockets, churn, hosts, seconds } = variant.params as {
      sockets: number
      churn: number
      hosts: number
      seconds: number
    }
    const hostList = ctx.hosts.slice(0, hosts)
    // A host is refreshed once every `hosts` ticks; that must exceed any coalescing window.
    if (hosts * TICK_MS < ctx.gapMs) {
      throw new Error(
        `--soak-hosts ${hosts} refreshes each host more often than every ${ctx.gapMs} ms`,
      )
    }
    const { pool } = await openSockets(ctx, sockets, hostList)
    try {
      const start = Date.now()
      const first = ctx.server.sample()
      const series: Point[] = [point(first, start, pool.openTotal())]
      const outcomes: RefreshOutcome[] = []
      let churned = 0
      for (let tick = 0; Date.now() - start < seconds * 1000; tick++) {
        const tickStart = Date.now()
        if (churn > 0) {
          churned += await pool.close(churn)
          await pool.open(ctx.liveUrl, churn, hostList, ctx.clientOptions)
        }
        outcomes.push(await refreshAndWait(ctx, pool, hostList[tick % hostList.length]!))
        if ((tick + 1) % ctx.options.soakSampleSeconds === 0) {
          series.push(point(ctx.server.sample(), start, pool.openTotal()))
        }
        await Bun.sleep(Math.max(0, tickStart + TICK_MS - Date.now()))
      }
      const last = ctx.server.sample()
      series.push(point(last, start, pool.openTotal()))
      const report = await pool.report()
      const latencies = deliveryLatencies(
        report.receipts,
        new Map(outcomes.map((o) => [o.postId, o.sentAt])),
      )
      return {
        delivered: latencies.length,
        expected: sum(outcomes.map((o) => o.expected)),
        metrics: {
          rssStartMB: series[0]!.rssMB,
          rssEndMB: series.at(-1)!.rssMB,
          rssMaxMB: Math.max(...series.map((p) => p.rssMB)),
          fdsStart: series[0]!.fds,
          fdsEnd: series.at(-1)!.fds,
          fdsMax: Math.max(...series.map((p) => p.fds)),
          cpuSec: round(last.cpuSeconds - first.cpuSeconds, 2),
          churned,
          refreshes: outcomes.length,
          unexpectedCloses: report.unexpectedCloses,
          ...latencyMetrics(latencies),
        },
        detail: { series },
      }
    } finally {
      await pool.stop()
    }
  },

  row: (s) =>
    `rss ${fmt(s.rssStartMB)} -> ${fmt(s.rssEndMB)} MB (max ${fmt(s.rssMaxMB)})  ` +
    `fds ${fmt(s.fdsStart, 0)} -> ${fmt(s.fdsEnd, 0)}  p99 ${fmt(s.p99Ms)} ms  cpu ${fmt(s.cpuSec, 2)} s`,
}
