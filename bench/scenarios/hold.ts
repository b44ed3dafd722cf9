// hold: the maximum number of sockets one server process can keep open, held idle for a while.
// Samples RSS, descriptors and CPU over the hold, then sends one refresh per host, which must
// reach every requested socket. A run is complete only when all connected, stayed open and got
// the frame.
import { round, sum } from '../lib/stats'
import { fmt, openSockets, point, refreshAndWait, type Point } from './common'
import type { Scenario } from './types'

export const hold: Scenario = {
  name: 'hold',
  maxSockets: (options) => options.holdSockets,
  hostsUsed: (options) => options.holdHosts,
  variants: (options) => [
    {
      label: `n=${options.holdSockets} hosts=${options.holdHosts} ${options.holdSeconds}s`,
      params: {
        sockets: options.holdSockets,
        hosts: options.holdHosts,
        seconds: options.holdSeconds,
      },
    },
  ],

  async run(ctx, variant) {
    const { sockets, hosts, seconds } = variant.params as {
      sockets: number
      hosts: number
      seconds: number
    }
    const hostList = ctx.hosts.slice(0, hosts)
    const before = ctx.server.sample()
    const { pool, opened, startedAt } = await openSockets(ctx, sockets, hostList)
    try {
      const start = Date.now()
      const first = ctx.server.sample()
      const series: Point[] = [point(first, start, pool.openTotal())]
      const sampleMs = ctx.options.holdSampleSeconds * 1000
      while (Date.now() - start < seconds * 1000) {
        await Bun.sleep(Math.min(sampleMs, start + seconds * 1000 - Date.now()))
        series.push(point(ctx.server.sample(), start, pool.openTotal()))
      }
      const held = ctx.server.sample()
      // Anything that closed during the hold shows in the generators' counts before the refresh.
      const closedEarly = (await pool.report()).unexpectedCloses
      const outcomes = []
      for (const host of hostList) outcomes.push(await refreshAndWait(ctx, pool, host))
      const report = await pool.report()
      const delivered = sum(Object.values(report.receipts).map((times) => times.length))
      const connectSeconds = (opened.lastConnectedAt - startedAt) / 1000
      return {
        delivered,
        expected: sockets,
        metrics: {
          connected: opened.connected,
          refused: opened.refused,
          failed: opened.failed,
          handshakesPerSec: round(opened.connected / connectSeconds, 1),
          openAtEnd: pool.openTotal(),
          unexpectedCloses: closedEarly + report.unexpectedCloses,
          rssStartMB: series[0]!.rssMB,
          rssEndMB: round(held.rssBytes / 2 ** 20, 1),
          rssMaxMB: Math.max(...series.map((p) => p.rssMB)),
          rssPerSocketKB: round(
            (held.rssBytes - before.rssBytes) / Math.max(1, opened.connected) / 1024,
            2,
          ),
          fdsStart: series[0]!.fds,
          fdsEnd: held.fds,
          fdsMax: Math.max(...series.map((p) => p.fds)),
          holdCpuSec: round(held.cpuSeconds - first.cpuSeconds, 2),
          refreshLastMs: round(Math.max(...outcomes.map((o) => o.lastMs))),
          reportedSent: sum(outcomes.map((o) => Math.max(0, o.reported))),
        },
        detail: { series, reasons: opened.reasons },
      }
    } finally {
      await pool.stop()
    }
  },

  row: (s) =>
    `connected ${fmt(s.connected, 0)}  open at end ${fmt(s.openAtEnd, 0)}  ` +
    `rss ${fmt(s.rssStartMB)} -> ${fmt(s.rssEndMB)} MB (max ${fmt(s.rssMaxMB)})  ` +
    `fds max ${fmt(s.fdsMax, 0)}  hold cpu ${fmt(s.holdCpuSec, 2)} s  ` +
    `refresh last ${fmt(s.refreshLastMs)} ms`,
}
