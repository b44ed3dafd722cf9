// Writes SVG plots from bench result files: fan-out latency and server RSS against socket count.
// Usage: bun bench/plot.ts RESULTS.jsonl... [--out DIR]
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { lineChart, type Series } from './lib/svg'
import { readSummaries, type Summary } from './lib/summaries'

const COLORS: Record<string, string> = {
  socketizer: '#d62728',
  'ref-bun': '#1f77b4',
  'ref-node': '#2ca02c',
}

/** Groups summaries into one series per server and `splitBy` value, with median and min-max. */
function seriesOf(summaries: Summary[], metric: string, splitBy?: string): Series[] {
  const groups = new Map<string, Summary[]>()
  for (const s of summaries) {
    if (!s.metrics[metric] || s.params.sockets === undefined) continue
    const key = splitBy ? `${s.server} ${splitBy}=${s.params[splitBy]}` : s.server
    groups.set(key, [...(groups.get(key) ?? []), s])
  }
  const splitValues = [...new Set(summaries.map((s) => (splitBy ? s.params[splitBy] : 0)))].sort(
    (a, b) => a! - b!,
  )
  return [...groups.entries()].map(([name, group]) => ({
    name,
    color: COLORS[group[0]!.server] ?? '#555',
    dashed: splitBy ? splitValues.indexOf(group[0]!.params[splitBy]) > 0 : false,
    points: group
      .map((s) => ({
        x: s.params.sockets!,
        y: s.metrics[metric]!.median,
        lo: s.metrics[metric]!.min,
        hi: s.metrics[metric]!.max,
      }))
      .filter((p) => Number.isFinite(p.y))
      .sort((a, b) => a.x - b.x),
  }))
}

/** Writes the plots into `outDir` and returns their paths. */
export function writePlots(files: string[], outDir: string): string[] {
  const summaries = readSummaries(files)
  mkdirSync(outDir, { recursive: true })
  const fanout = summaries.filter((s) => s.scenario === 'fanout')
  const connect = summaries.filter((s) => s.scenario === 'connect')
  const charts = {
    'fanout-latency.svg': lineChart({
      title: 'Fan-out: time until the last socket has the frame (median, min-max)',
      xLabel: 'sockets',
      yLabel: 'ms',
      series: seriesOf(fanout, 'lastMedianMs', 'hosts'),
    }),
    'fanout-p99.svg': lineChart({
      title: 'Fan-out: p99 delivery latency over all deliveries',
      xLabel: 'sockets',
      yLabel: 'ms',
      series: seriesOf(fanout, 'p99Ms', 'hosts'),
    }),
    'rss.svg': lineChart({
      title: 'Server RSS after connecting (median, min-max)',
      xLabel: 'sockets',
      yLabel: 'MiB',
      series: seriesOf(connect, 'rssMB'),
    }),
  }
  return Object.entries(charts).map(([name, svg]) => {
    const path = join(outDir, name)
    writeFileSync(path, svg)
    return path
  })
}

if (import.meta.main) {
  const { values, positionals: files } = parseArgs({
    args: Bun.argv.slice(2),
    options: { out: { type: 'string', default: join(import.meta.dir, 'out') } },
    allowPositionals: true,
  })
  const outDir = values.out
  if (files.length === 0) {
    console.error('usage: bun bench/plot.ts RESULTS.jsonl... [--out DIR]')
    process.exit(2)
  }
  console.log(writePlots(files, outDir).join('\n'))
}
