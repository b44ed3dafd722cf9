// Helpers shared by the reference servers: CLI parsing, host spelling and the wire frames.
// ref-node.mjs repeats them in plain JavaScript because it runs under node without a loader.

const REFRESH_PATH = '/service/api/v1/wordpress/cmd/client/refresh/post'
const REFRESH_FIELDS = [
  'host',
  'postUrl',
  'postId',
  'pageForPosts',
  'what',
  'commentUrl',
  'commentId',
] as const

export function parseListen(argv: string[]): { hostname: string; port: number } {
  const at = argv.indexOf('--listen')
  const value = at >= 0 ? argv[at + 1] : '127.0.0.1:0'
  const match = /^([\d.]+):(\d+)$/.exec(value ?? '')
  if (!match) throw new Error(`invalid --listen '${value}': expected IPV4:PORT`)
  return { hostname: match[1]!, port: Number(match[2]) }
}

export function canonicalHost(raw: string): string {
  return raw.toLowerCase().replace(/\/+$/, '')
}

export function isRefreshPath(pathname: string): boolean {
  return pathname === REFRESH_PATH || pathname === `${REFRESH_PATH}/`
}

export function unixNanos(): string {
  return `${Date.now()}000000`
}

export function connectFrame(id: string): string {
  return JSON.stringify({
    Timestamp: unixNanos(),
    Data: { id, message: 'socketizer connected' },
  })
}

/** Builds the refreshPost frame from a plugin body; throws when the body is not usable. */
export function refreshFrame(body: string): { host: string; text: string } {
  const input = JSON.parse(body) as Record<string, unknown>
  if (typeof input.host !== 'string' || input.host === '') throw new Error('missing host')
  const data: Record<string, string> = { cmd: 'refreshPost' }
  for (const field of REFRESH_FIELDS) data[field] = String(input[field] ?? '')
  const host = canonicalHost(input.host)
  data.host = host
  return { host, text: JSON.stringify({ Timestamp: unixNanos(), Data: data }) }
}
