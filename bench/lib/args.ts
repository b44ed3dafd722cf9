// Command-line options of bench/run.ts.
import { parseArgs } from 'node:util'
import { DEFAULT_SOCKETIZER_BINARY } from './socketizer'

export const HELP = `Usage: bun bench/run.ts [options]   (or: npm run bench -- [options])

Runs each server as its own process on 127.0.0.1, drives it from separate generator processes
and prints one JSON line per scenario, size and server (median, min and max over the repeats)
plus a readable row on stderr.

Selection:
  --scenarios LIST       connect,fanout,api,soak,hold,cluster  [connect,fanout,api]
  --servers LIST         socketizer,ref-bun,ref-node; socketizer is skipped with a warning
                         when its executable is missing          [all three]
  --sizes LIST           socket counts for connect and fanout; each server process may
                         hold at most 20,000 open files     [1000,5000,10000,19000]
  --repeats N            runs per scenario, size and server; servers alternate   [3]
  --socketizer PATH      Socketizer executable to run, e.g. an older build [dist/socketizer]

Scenario settings:
  --connect-hosts N      hosts the connect sockets are spread over              [100]
  --fanout-hosts LIST    host counts for fanout variants                        [1,100]
  --refreshes N          refresh rounds per fanout run (one request per host)   [10]
  --gap-ms N             pause between refresh rounds, in ms; default 100, or 1200 when
                         socketizer coalesces refreshes and has no way to turn it off
  --api-requests N       refresh requests per api run                           [20000]
  --api-concurrency N    requests in flight in the api scenario                 [64]
  --api-sockets LIST     sockets held on other hosts during api runs            [0,10000]
  --api-mode MODE        plugin (new connection per request, as WordPress sends)
                         or keepalive (fetch with connection reuse)            [plugin]
  --soak-seconds N       soak duration per server, in seconds                   [600]
  --soak-sockets N       sockets held during the soak                            [2000]
  --soak-churn N         sockets leaving and joining per second                 [20]
  --soak-hosts N         hosts in the soak; one refresh per second, round-robin [10]
  --soak-sample-seconds N  interval between RSS and descriptor samples          [10]
  --hold-sockets N       sockets one server process holds in the hold scenario; a process
                         may have at most 20,000 open files                     [19900]
  --hold-seconds N       time the sockets are held idle, in seconds             [120]
  --hold-hosts N         hosts the held sockets are spread over; one refresh per host
                         at the end must reach every socket                     [1]
  --hold-sample-seconds N  interval between RSS and descriptor samples          [10]

Clients:
  --client KIND          ws (Bun's ws module; binds the source addresses below, so each
                         has its own ephemeral ports) or native (Bun's WebSocket, always
                         from 127.0.0.1; connects slow down as one address's ports fill,
                         and past 25,000 sockets the bench switches to ws)        [ws]
  --source-addrs N       source addresses per run for ws clients, 127.H.L.2 .. 127.H.L.(N+1),
                         where H.L moves on every run (see bench/README.md)      [4]
  --generators N         minimum socket generator processes; at least one per 19,000
                         sockets is always used                                  [1]
  --inflight N           handshakes in flight per generator process             [256]
  --connect-timeout-ms N time one socket may take to get its connect frame       [15000]

Output:
  --out FILE             JSON lines of every run and summary      [bench/out/results-<time>.jsonl]
  --plot DIR             also write SVG plots of the results into DIR
  --help                 print this text
`

export interface BenchOptions {
  scenarios: string[]
  servers: string[]
  sizes: number[]
  repeats: number
  socketizer: string
  connectHosts: number
  fanoutHosts: number[]
  refreshes: number
  gapMs: number | undefined
  apiRequests: number
  apiConcurrency: number
  apiSockets: number[]
  apiMode: 'plugin' | 'keepalive'
  soakSeconds: number
  soakSockets: number
  soakChurn: number
  soakHosts: number
  soakSampleSeconds: number
  holdSockets: number
  holdSeconds: number
  holdHosts: number
  holdSampleSeconds: number
  client: 'ws' | 'native'
  sourceAddrs: number
  generators: number
  inflight: number
  connectTimeoutMs: number
  out: string | undefined
  plot: string | undefined
  help: boolean
}

const STRING_OPTIONS = [
  'scenarios',
  'servers',
  'sizes',
  'repeats',
  'socketizer',
  'connect-hosts',
  'fanout-hosts',
  'refreshes',
  'gap-ms',
  'api-requests',
  'api-concurrency',
  'api-sockets',
  'api-mode',
  'soak-seconds',
  'soak-sockets',
  'soak-churn',
  'soak-hosts',
  'soak-sample-seconds',
  'hold-sockets',
  'hold-seconds',
  'hold-hosts',
  'hold-sample-seconds',
  'client',
  'source-addrs',
  'generators',
  'inflight',
  'connect-timeout-ms',
  'out',
  'plot',
] as const

export function parseOptions(argv: string[]): BenchOptions {
  try {
    return parseOrThrow(argv)
  } catch (err) {
    throw new Error(`${(err as Error).message}; run with --help for the options`)
  }
}

function parseOrThrow(argv: string[]): BenchOptions {
  const options = Object.fromEntries(STRING_OPTIONS.map((name) => [name, { type: 'string' }]))
  const { values: v } = parseArgs({
    args: argv,
    options: { ...options, help: { type: 'boolean' } } as never,
    strict: true,
  }) as { values: Record<string, string | undefined> & { help?: boolean } }
  const list = (name: string, fallback: string) => (v[name] ?? fallback).split(',').filter(Boolean)
  const int = (name: string, fallback: number, min = 0) => toInt(name, v[name], fallback, min)
  const ints = (name: string, fallback: string, min = 1) =>
    list(name, fallback).map((x) => toInt(name, x, 0, min))
  return {
    scenarios: list('scenarios', 'connect,fanout,api'),
    servers: list('servers', 'socketizer,ref-bun,ref-node'),
    sizes: ints('sizes', '1000,5000,10000,19000'),
    repeats: int('repeats', 3, 1),
    socketizer: v.socketizer ?? DEFAULT_SOCKETIZER_BINARY,
    connectHosts: int('connect-hosts', 100, 1),
    fanoutHosts: ints('fanout-hosts', '1,100'),
    refreshes: int('refreshes', 10, 1),
    gapMs: v['gap-ms'] === undefined ? undefined : int('gap-ms', 0),
    apiRequests: int('api-requests', 20_000, 1),
    apiConcurrency: int('api-concurrency', 64, 1),
    apiSockets: ints('api-sockets', '0,10000', 0),
    apiMode: oneOf('api-mode', v['api-mode'] ?? 'plugin', ['plugin', 'keepalive']),
    soakSeconds: int('soak-seconds', 600, 1),
    soakSockets: int('soak-sockets', 2000, 1),
    soakChurn: int('soak-churn', 20),
    soakHosts: int('soak-hosts', 10, 1),
    soakSampleSeconds: int('soak-sample-seconds', 10, 1),
    holdSockets: int('hold-sockets', 19_900, 1),
    holdSeconds: int('hold-seconds', 120, 1),
    holdHosts: int('hold-hosts', 1, 1),
    holdSampleSeconds: int('hold-sample-seconds', 10, 1),
    client: oneOf('client', v.client ?? 'ws', ['ws', 'native']),
    sourceAddrs: atMost('source-addrs', int('source-addrs', 4, 0), 253),
    generators: int('generators', 1, 1),
    inflight: int('inflight', 256, 1),
    connectTimeoutMs: int('connect-timeout-ms', 15_000, 1),
    out: v.out,
    plot: v.plot,
    help: v.help ?? false,
  }
}

function toInt(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`invalid --${name} '${raw}': expected an integer >= ${min}`)
  }
  return value
}

function atMost(name: string, value: number, max: number): number {
  if (value > max) throw new Error(`invalid --${name} '${value}': expected at most ${max}`)
  return value
}

function oneOf<T extends string>(name: string, raw: string, allowed: T[]): T {
  if (!allowed.includes(raw as T)) {
    throw new Error(`invalid --${name} '${raw}': expected one of ${allowed.join(', ')}`)
  }
  return raw as T
}
