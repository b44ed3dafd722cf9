// Messages between the driver (bench/lib/generators.ts) and a socket generator child.

export interface OpenCommand {
  op: 'open'
  id: number
  client: 'ws' | 'native'
  /** WebSocket URL up to and including `/live/`; the site host is appended. */
  url: string
  /** Sockets to open, as [site host, count] pairs. */
  plan: [string, number][]
  /** Maximum handshakes in flight at once. */
  inflight: number
  /** Source addresses to bind, round-robin; empty for the kernel's choice. */
  sourceAddrs: string[]
  /** Time a socket may take from its first packet to its connect frame. */
  timeoutMs: number
}

export type GenCommand =
  | OpenCommand
  | { op: 'close'; id: number; count: number }
  | { op: 'report'; id: number }
  | { op: 'exit' }

export interface OpenResult {
  connected: number
  refused: number
  failed: number
  /** Count of each refusal or failure reason, such as 'close 4429' or 'http 503'. */
  reasons: Record<string, number>
  /** Epoch milliseconds. */
  startedAt: number
  lastConnectedAt: number
}

export interface GenReport {
  /** Arrival times (epoch ms) of refreshPost frames, keyed by postId; cleared by each report. */
  receipts: Record<string, number[]>
  duplicates: number
  wrongHost: number
  unexpectedCloses: number
  badFrames: number
}

export interface CompleteEvent {
  ev: 'complete'
  postId: string
  host: string
  count: number
  last: number
}
