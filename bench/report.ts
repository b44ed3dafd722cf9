// Prints Markdown tables of saved bench results: per scenario and variant one row per server, each
// cell the median with the min and max over the repeats, and each server's ratio to ref-bun.
// Usage: bun bench/report.ts RESULTS.jsonl...
import { readSummaries, type Summary } from './lib/summaries'
import type { Spread } from './lib/stats'

interface Column {
  metric: string
  title: string
  digits: number
  /** True when the table also shows this metric's ratio to ref-bun's median in the variant. */
  ratio?: boolean
}

const col = (metric: string, title: string, digits: number, ratio = false): Column => ({
  metric,
  title,
  digits,
  ratio,
})

const COLUMNS: Record<string, Column[]> = {
  connect: [
    col('handshakesPerSec', 'handshakes/s', 0, true),
    col('cpuSecPer1kHandshakes', 'server CPU s per 1k handshakes', 3, true),
    col('rssPerSocketKB', 'RSS growth per socket KB', 2, true),
    col('rssMB', 'RSS MB', 1),
    col('clientCpuSec', 'client CPU s', 2),
  ],
  fanout: [
    col('lastMedianMs', 'last socket ms, median', 1, true),
    col('lastP99Ms', 'last socket ms, p99', 1, true),
    col('p99Ms', 'p99 of all deliveries ms', 1, true),
    col('cpuSecPer100kFrames', 'server CPU s per 100k frames', 3, true),
  ],
  api: [
    col('requestsPerSec', 'requests/s', 0, true),
    col('p50Ms', 'p50 ms', 2),
    col('p99Ms', 'p99 ms', 2),
    col('cpuSecPer1kRequests', 'server CPU s per 1k requests', 3, true),
  ],
  soak: [
    col('rssStartMB', 'RSS start MB', 1),
    col('rssEndMB', 'RSS end MB', 1),
    col('rssMaxMB', 'RSS max MB', 1),
    col('fdsStart', 'fds start', 0),
    col('fdsEnd', 'fds end', 0),
    col('p99Ms', 'p99 ms', 1),
    col('cpuSec', 'server CPU s', 2),
  ],
  hold: [
    col('connected', 'connected', 0),
    col('openAtEnd', 'open at end', 0),
    col('rssStartMB', 'RSS after connect MB', 1),
    col('rssEndMB', 'RSS at end MB', 1),
    col('rssMaxMB', 'RSS max MB', 1),
    col('rssPerSocketKB', 'RSS growth per socket KB', 2, true),
    col('fdsMax', 'fds max', 0),
    col('holdCpuSec', 'CPU s while idle', 2),
    col('refreshLastMs', 'final refresh, last socket ms', 1),
  ],
}

function cell(value: Spread | undefined, digits: number): string {
  if (!value || !Number.isFinite(value.median)) return '-'
  const f = (x: number) => x.toFixed(digits)
  if (value.min === value.max) return f(value.median)
  return `${f(value.median)} (${f(value.min)}-${f(value.max)})`
}

function ratio(value: Spread | undefined, reference: Spread | undefined): string {
  if (!value || !reference || !(reference.median > 0)) return '-'
  return `${(value.median / reference.median).toFixed(2)}x`
}

function table(rows: Summary[], columns: Column[]): string {
  const reference = rows.find((row) => row.server === 'ref-bun')
  const head = ['server', 'runs']
  for (const column of columns) {
    head.push(column.title)
    if (column.ratio) head.push('÷ ref-bun')
  }
  head.push('delivered / expected')
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`]
  for (const row of rows) {
    const cells = [row.server, String(row.repeats)]
    for (const column of columns) {
      cells.push(cell(row.metrics[column.metric], column.digits))
      if (column.ratio) {
        cells.push(ratio(row.metrics[column.metric], reference?.metrics[column.metric]))
      }
    }
    cells.push(`${row.delivered} / ${row.expected}${row.complete ? '' : ' INCOMPLETE'}`)
    lines.push(`| ${cells.join(' | ')} |`)
  }
  return lines.join('\n')
}

/** RSS added per socket between successive connect sizes, from the RSS medians, in KB. */
function rssSlopes(summaries: Summary[]): string {
  const connect = summaries.filter((s) => s.scenario === 'connect' && s.metrics.rssMB)
  const sizes = [...new Set(connect.map((s) => s.params.sockets!))].sort((a, b) => a - b)
  if (sizes.length < 2) return ''
  const steps = sizes.slice(1).map((to, i) => [sizes[i]!, to] as const)
  const head = ['server', ...steps.map(([from, to]) => `${from} → ${to}`)]
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`]
  for (const server of [...new Set(connect.map((s) => s.server))]) {
    const rss = (n: number) =>
      connect.find((s) => s.server === server && s.params.sockets === n)?.metrics.rssMB?.median
    const cells = steps.map(([from, to]) => {
      const [a, b] = [rss(from), rss(to)]
      return a === undefined || b === undefined ? '-' : (((b - a) * 1024) / (to - from)).toFixed(2)
    })
    lines.push(`| ${[server, ...cells].join(' | ')} |`)
  }
  return ['### connect: RSS added per socket between sizes, KB', '', ...lines, ''].join('\n')
}

function report(summaries: Summary[]): string {
  const out: string[] = []
  const keys = [...new Set(summaries.map((s) => `${s.scenario}\n${s.variant}`))]
  for (const key of keys) {
    const [scenario, variant] = key.split('\n') as [string, string]
    const rows = summaries.filter((s) => s.scenario === scenario && s.variant === variant)
    const columns = COLUMNS[scenario]
    if (!columns) continue
    out.push(`### ${scenario} ${variant}`, '', table(rows, columns), '')
  }
  out.push(rssSlopes(summaries))
  return out.join('\n')
}

if (import.meta.main) {
  const files = Bun.argv.slice(2)
  if (files.length === 0) {
    console.error('usage: bun bench/report.ts RESULTS.jsonl...')
    process.exit(2)
  }
  console.log(report(readSummaries(files)))
}
