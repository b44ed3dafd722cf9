import { existsSync, readFileSync, statSync } from 'node:fs'
import { parseArgs } from 'node:util'
import * as v from 'valibot'

/** One setting of `serve`: its flag, environment variable, default and help line. */
interface Option {
  flag: string
  env: string
  default?: string
  help: string
}

const integer = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  )

const listen = v.pipe(
  v.string(),
  v.regex(
    /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/,
    'must be HOST:PORT, for example 127.0.0.1:8080',
  ),
  v.transform((value) => {
    const at = value.lastIndexOf(':')
    return {
      hostname: value.slice(0, at).replace(/^\[|\]$/g, ''),
      port: Number(value.slice(at + 1)),
    }
  }),
  v.check(({ port }) => port <= 65535, 'port must be at most 65535'),
)

/** A PEM file this process can read, checked at start so a typo fails with the setting's name. */
const pemFile = v.optional(
  v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.check((path) => readablePem(path), 'must be a readable PEM file'),
  ),
)

function readablePem(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes('-----BEGIN ')
  } catch {
    return false
  }
}

const directory = v.pipe(
  v.string(),
  v.minLength(1, 'must not be empty'),
  v.check((path) => !existsSync(path) || statSync(path).isDirectory(), 'must be a directory'),
)

export const serveOptions = {
  listen: {
    flag: 'listen',
    env: 'SOCKETIZER_LISTEN',
    default: '127.0.0.1:8080',
    help: 'address and port to listen on (HOST:PORT); behind nginx keep it on loopback',
  },
  dataDir: {
    flag: 'data-dir',
    env: 'SOCKETIZER_DATA_DIR',
    default: './data',
    help: 'directory of the embedded SQLite registry, created on first start',
  },
  logLevel: {
    flag: 'log-level',
    env: 'SOCKETIZER_LOG_LEVEL',
    default: 'info',
    help: 'lowest log level written: trace, debug, info, warn, error, fatal or silent',
  },
  serviceKey: {
    flag: 'service-key',
    env: 'SOCKETIZER_SERVICE_KEY',
    help: 'admin API bearer token, at least 32 characters; when unset, the first start generates one and writes it to DATA_DIR/service-key',
  },
  maxBodyBytes: {
    flag: 'max-body-bytes',
    env: 'SOCKETIZER_MAX_BODY_BYTES',
    default: '16384',
    help: 'largest API request body in bytes; larger bodies get 413',
  },
  maxInboundFrameBytes: {
    flag: 'max-inbound-frame-bytes',
    env: 'SOCKETIZER_MAX_INBOUND_FRAME_BYTES',
    default: '1024',
    help: 'largest frame a visitor may send, in bytes; a larger one closes the socket with 1009',
  },
  idleTimeoutSeconds: {
    flag: 'idle-timeout',
    env: 'SOCKETIZER_IDLE_TIMEOUT',
    default: '30',
    help: 'seconds of silence before the server pings a socket; a socket silent for twice this is closed (keep it under half of the proxy read timeout)',
  },
  sendBufferBytes: {
    flag: 'send-buffer-bytes',
    env: 'SOCKETIZER_SEND_BUFFER_BYTES',
    default: '65536',
    help: 'bytes queued for one socket before it is closed as too slow',
  },
  coalesceWindowMs: {
    flag: 'coalesce-window-ms',
    env: 'SOCKETIZER_COALESCE_WINDOW_MS',
    default: '1000',
    help: 'milliseconds in which further refreshes of a host are merged into one trailing frame; 0 sends every refresh at once',
  },
  statsFlushMs: {
    flag: 'stats-flush-ms',
    env: 'SOCKETIZER_STATS_FLUSH_MS',
    default: '1000',
    help: 'milliseconds between writes of the counters to the store; a crash loses at most this much',
  },
  registryRefreshMs: {
    flag: 'registry-refresh-ms',
    env: 'SOCKETIZER_REGISTRY_REFRESH_MS',
    default: '1000',
    help: 'milliseconds between checks for site changes made by other processes',
  },
  storeBusyTimeoutMs: {
    flag: 'store-busy-timeout-ms',
    env: 'SOCKETIZER_STORE_BUSY_TIMEOUT_MS',
    default: '100',
    help: 'milliseconds a store write waits for a lock held by another process (the CLI) before it fails and is retried; the server blocks meanwhile',
  },
  shutdownTimeoutMs: {
    flag: 'shutdown-timeout-ms',
    env: 'SOCKETIZER_SHUTDOWN_TIMEOUT_MS',
    default: '8000',
    help: 'milliseconds a shutdown may take before the process exits anyway; keep it under the supervisor stop timeout',
  },
  tlsCert: {
    flag: 'tls-cert',
    env: 'SOCKETIZER_TLS_CERT',
    help: 'PEM certificate file, to serve TLS without a proxy (needs --tls-key)',
  },
  tlsKey: {
    flag: 'tls-key',
    env: 'SOCKETIZER_TLS_KEY',
    help: 'PEM private key file for --tls-cert',
  },
} satisfies Record<string, Option>

const ServeConfig = v.pipe(
  v.object({
    listen,
    dataDir: directory,
    logLevel: v.picklist(
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
      'must be one of trace, debug, info, warn, error, fatal, silent',
    ),
    serviceKey: v.optional(v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))),
    maxBodyBytes: integer(256, 1_048_576),
    maxInboundFrameBytes: integer(16, 1_048_576),
    idleTimeoutSeconds: integer(5, 960),
    sendBufferBytes: integer(1024, 67_108_864),
    coalesceWindowMs: integer(0, 60_000),
    statsFlushMs: integer(100, 60_000),
    registryRefreshMs: integer(100, 60_000),
    storeBusyTimeoutMs: integer(0, 10_000),
    shutdownTimeoutMs: integer(100, 600_000),
    tlsCert: pemFile,
    tlsKey: pemFile,
  }),
  v.check((c) => !c.tlsCert === !c.tlsKey, '--tls-cert and --tls-key must be given together'),
)

export type ServeConfig = v.InferOutput<typeof ServeConfig>
type OptionName = keyof typeof serveOptions

/** Builds parseArgs options from a table of settings; every value is a string. */
export function argOptions(table: Record<string, Option>) {
  return Object.fromEntries(Object.values(table).map((o) => [o.flag, { type: 'string' as const }]))
}

/**
 * Reads the `serve` settings: a flag wins over its environment variable, which wins over the
 * default. Throws an Error naming the setting and the fix when a value is invalid.
 */
export function loadServeConfig(
  values: Record<string, string | boolean | undefined>,
  env: Record<string, string | undefined> = process.env,
): ServeConfig {
  const raw: Record<string, string | undefined> = {}
  for (const [name, option] of Object.entries(serveOptions) as [OptionName, Option][]) {
    const flagValue = values[option.flag]
    raw[name] = typeof flagValue === 'string' ? flagValue : (env[option.env] ?? option.default)
  }
  const result = v.safeParse(ServeConfig, raw)
  if (result.success) return result.output
  const issue = result.issues[0]
  const key = issue.path?.[0]?.key as OptionName | undefined
  if (!key) throw new Error(`invalid configuration: ${issue.message}`)
  const option = serveOptions[key]
  // A secret's value must not reach a log through the error message.
  const shown = key === 'serviceKey' ? '' : ` ${JSON.stringify(raw[key])}`
  throw new Error(`invalid --${option.flag} (${option.env})${shown}: ${issue.message}`)
}

/** Formats the help lines of a table of settings. */
export function describeOptions(table: Record<string, Option>): string {
  return Object.values(table)
    .map((o) => {
      const fallback = o.default === undefined ? '' : ` (default ${o.default})`
      return `  --${o.flag.padEnd(26)} ${o.env}\n      ${o.help}${fallback}`
    })
    .join('\n')
}

export { parseArgs }
