// Benchmark driver: runs each selected scenario against each server, servers alternating within
// every repeat, and prints one summary JSON line per scenario, variant and server.
import { mkdirSync, appendFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { HELP, parseOptions, type BenchOptions } from './lib/args'
import { MAX_SOCKETS_PER_GENERATOR, type ClientOptions } from './lib/generators'
import {
  createEnv,
  prepareServers,
  removeEnv,
  SERVER_NAMES,
  socketizerAvailable,
  startServer,
  type ServerEnv,
  type ServerName,
} from './lib/servers'
import { spread, sum } from './lib/stats'
import { SCENARIOS } from './scenarios/index'
import type { RunContext, RunResult, Scenario, Variant } from './scenarios/types'
import { writePlots } from './plot'

// Site hosts spelled as the plugin spells a local WordPress; they are names, never dialled.
const siteHosts = (count: number) =>
  Array.from({ length: count }, (_, i) => `127.0.0.1:${8000 + i}`)
const IDLE_HOST = '127.0.0.1:7999'
const DEFAULT_GAP_MS = 100
const COALESCING_GAP_MS = 1200
// Native clients all connect from 127.0.0.1, which has about 28k ephemeral ports (32768-60999 by
// default) towards one server address. Past this count the bench binds source addresses instead.
const NATIVE_MAX_SOCKETS = 25_000
// Blocks of source addresses 127.H.L.2 and up (H from 1 to 250) that successive runs take in
// turn, so no run binds ports that an earlier run left in TIME_WAIT. The ws server of ref-node
// leaves the client to close TCP first, so a run against it parks one TIME_WAIT per socket on
// its source addresses for 60 s. Binding an address whose ports are full of TIME_WAIT entries
// cost the next run's generator up to 10 times the CPU time per connect (measured at 10,000 and
// 19,000 sockets). Each invocation starts at a random block, so back-to-back invocations do not
// meet either.
const SOURCE_BLOCKS = 250 * 256

function pickServers(options: BenchOptions): ServerName[] {
  const unknown = options.servers.filter((name) => !SERVER_NAMES.includes(name as ServerName))
  if (unknown.length) throw new Error(`unknown --servers ${unknown.join(', ')}`)
  const names = options.servers as ServerName[]
  if (names.includes('socketizer') && !socketizerAvailable(options.socketizer)) {
    console.error(`skipping socketizer: ${options.socketizer} does not exist (run npm run build)`)
    return names.filter((name) => name !== 'socketizer')
  }
  return names
}

function pickScenarios(options: BenchOptions): Scenario[] {
  return options.scenarios.map((name) => {
    const scenario = SCENARIOS[name]
    if (scenario?.unavailable) throw new Error(scenario.unavailable)
    if (!scenario)
      throw new Error(`unknown scenario '${name}': expected ${Object.keys(SCENARIOS).join(', ')}`)
    return scenario
  })
}

function pickClient(options: BenchOptions, maxSockets: number): 'ws' | 'native' {
  if (options.client === 'native' && maxSockets > NATIVE_MAX_SOCKETS) {
    console.error(`${maxSockets} sockets exceed what 127.0.0.1 alone can source: using --client ws`)
    return 'ws'
  }
  return options.client
}

function makeContext(options: BenchOptions, env: ServerEnv, hosts: string[], maxSockets: number) {
  let lastPostId = 1000
  const coalesces = env.socketizer?.coalesces ?? false
  const client = pickClient(options, maxSockets)
  let block = Math.floor(Math.random() * SOURCE_BLOCKS)
  return {
    options,
    hosts,
    idleHost: IDLE_HOST,
    gapMs: options.gapMs ?? (coalesces ? COALESCING_GAP_MS : DEFAULT_GAP_MS),
    clientOptions: {
      client,
      sourceAddrs: [] as string[],
      inflight: options.inflight,
      timeoutMs: options.connectTimeoutMs,
    },
    /** Client options of the next run: ws clients get the next block of source addresses. */
    nextClientOptions(): ClientOptions {
      block = (block + 1) % SOURCE_BLOCKS
      const prefix = `127.${1 + Math.floor(block / 256)}.${block % 256}`
      const count = client === 'ws' ? options.sourceAddrs : 0
      const sourceAddrs = Array.from({ length: count }, (_, i) => `${prefix}.${i + 2}`)
      return { ...this.clientOptions, sourceAddrs }
    },
    nextPostId: () => String(++lastPostId),
  }
}

async function runOnce(
  base: Base,
  env: ServerEnv,
  name: ServerName,
  scenario: Scenario,
  variant: Variant,
): Promise<RunResult> {
  const server = await startServer(name, env)
  try {
    const ctx: RunContext = {
      ...base,
      clientOptions: base.nextClientOptions(),
      server,
      liveUrl: `ws://${server.address}/service/wordpress/live/`,
    }
    return await scenario.run(ctx, variant)
  } finally {
    await server.stop()
  }
}

function emit(out: string, line: object) {
  appendFileSync(out, JSON.stringify(line) + '\n')
}

function summarise(
  base: Base,
  scenario: Scenario,
  variant: Variant,
  server: string,
  runs: RunResult[],
) {
  const names = Object.keys(runs[0]?.metrics ?? {})
  const metrics = Object.fromEntries(names.map((n) => [n, spread(runs.map((r) => r.metrics[n]!))]))
  const delivered = sum(runs.map((r) => r.delivered))
  const expected = sum(runs.map((r) => r.expected))
  return {
    type: 'summary',
    scenario: scenario.name,
    variant: variant.label,
    params: variant.params,
    server,
    repeats: runs.length,
    client: base.clientOptions.client,
    delivered,
    expected,
    complete: delivered === expected,
    metrics,
  }
}

type Base = ReturnType<typeof makeContext>

/** Runs one variant on every server, `repeats` times, rotating the server order each repeat. */
async function runVariant(
  base: Base,
  env: ServerEnv,
  servers: ServerName[],
  scenario: Scenario,
  variant: Variant,
  out: string,
) {
  const runs = new Map<string, RunResult[]>(servers.map((name) => [name, []]))
  for (let repeat = 0; repeat < base.options.repeats; repeat++) {
    // Rotating the order spreads machine drift and warm-up over all servers.
    const order = servers.map((_, i) => servers[(i + repeat) % servers.length]!)
    for (const name of order) {
      const result = await runOnce(base, env, name, scenario, variant)
      runs.get(name)!.push(result)
      const labels = { scenario: scenario.name, variant: variant.label, server: name, repeat }
      emit(out, { type: 'run', ...labels, ...result })
    }
  }
  return runs
}

function printSummary(scenario: Scenario, summary: ReturnType<typeof summarise>) {
  console.log(JSON.stringify(summary))
  const incomplete = `  INCOMPLETE ${summary.delivered}/${summary.expected}`
  const columns = [
    summary.scenario.padEnd(8),
    summary.variant.padEnd(24),
    summary.server.padEnd(11),
    scenario.row(summary.metrics) + (summary.complete ? '' : incomplete),
  ]
  console.error(columns.join(' '))
}

function defaultOut(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  return `${import.meta.dir}/out/results-${stamp}.jsonl`
}

async function main() {
  const options = parseOptions(Bun.argv.slice(2))
  if (options.help) return void process.stdout.write(HELP)
  const servers = pickServers(options)
  const scenarios = pickScenarios(options)
  const out = options.out ?? defaultOut()
  mkdirSync(dirname(out), { recursive: true })

  const maxSockets = Math.max(1, ...scenarios.map((s) => s.maxSockets(options)))
  if (maxSockets > MAX_SOCKETS_PER_GENERATOR + 900) {
    console.error(`warning: ${maxSockets} sockets exceed one server process's 20,000 open files`)
  }
  const env = createEnv()
  process.on('SIGINT', () => process.exit(130))
  process.on('exit', () => removeEnv(env))
  const hosts = siteHosts(Math.max(1, ...scenarios.map((s) => s.hostsUsed(options))))
  await prepareServers(env, servers, [...hosts, IDLE_HOST], maxSockets + 1000, options.socketizer)
  const base = makeContext(options, env, hosts, maxSockets)
  console.error(`servers: ${servers.join(', ')}; gap ${base.gapMs} ms; results: ${out}`)

  for (const scenario of scenarios) {
    for (const variant of scenario.variants(options)) {
      const runs = await runVariant(base, env, servers, scenario, variant, out)
      for (const name of servers) {
        const summary = summarise(base, scenario, variant, name, runs.get(name)!)
        emit(out, summary)
        printSummary(scenario, summary)
      }
    }
  }
  if (options.plot) console.error(`plots: ${writePlots([out], options.plot).join(', ')}`)
}

await main().catch((err) => {
  console.error(`bench failed: ${(err as Error).message}`)
  process.exit(1)
})
process.exit(0)
