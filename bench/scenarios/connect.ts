// connect: N sockets over H hosts. Handshake rate, server memory per socket, refusals, failures.
import { round } from '../lib/stats'
import { clientCpuSeconds, fmt, openSockets } from './common'
import type { Scenario } from './types'

// Time for the server to settle after the last handshake before its memory is read.
const SETTLE_MS = 500

export const connect: Scenario = {
  name: 'connect',
  maxSockets: (options) => Math.max(...options.sizes),
  hostsUsed: (options) => options.connectHosts,
  variants: (options) =>
    options.sizes.map((sockets) => ({
      label: `n=${sockets} hosts=${options.connectHosts}`,
      params: { sockets, hosts: options.connectHosts },
    })),

  async run(ctx, variant) {
    const { sockets, hosts } = variant.params as { sockets: number; hosts: number }
    const before = ctx.server.sample()
    const { pool, opened, startedAt } = await openSockets(ctx, sockets, ctx.hosts.slice(0, hosts))
    try {
      const connectedAt = ctx.server.sample()
      await Bun.sleep(SETTLE_MS)
      const after = ctx.server.sample()
      const seconds = (opened.lastConnectedAt - startedAt) / 1000
      const per = Math.max(1, opened.connected)
      return {
        delivered: opened.connected,
        expected: sockets,
        metrics: {
          handshakesPerSec: round(opened.connected / seconds, 1),
          connectSeconds: round(seconds),
          refused: opened.refused,
          failed: opened.failed,
          rssMB: round(after.rssBytes / 2 ** 20, 1),
          rssPerSocketKB: round((after.rssBytes - before.rssBytes) / per / 1024, 2),
          fds: after.fds,
          cpuSecPer1kHandshakes: round(((connectedAt.cpuSeconds - before.cpuSeconds) / per) * 1000),
          clientCpuSec: round(clientCpuSeconds(pool), 2),
        },
        detail: { reasons: opened.reasons },
      }
    } finally {
      await pool.stop()
    }
  },

  row: (s) =>
    `hs/s ${fmt(s.handshakesPerSec, 0)}  rss/socket ${fmt(s.rssPerSocketKB, 1)} KB  ` +
    `rss ${fmt(s.rssMB)} MB  fds ${fmt(s.fds, 0)}  cpu/1k hs ${fmt(s.cpuSecPer1kHandshakes, 3)} s  ` +
    `refused ${fmt(s.refused, 0)}  failed ${fmt(s.failed, 0)}`,
}
