import type { RefreshData } from './urls'

/** The Data of the frame the service sends when it admits a socket. */
export interface ConnectData {
  message?: string
  /** The host's latest refresh sequence number, "0" when there was none. */
  seq?: string
  /** That refresh's Data as a JSON string, or empty. */
  lastRefresh?: string
}

export interface ConnectionHandlers {
  /** Called on each connect frame; `first` is true only for the page's first socket. */
  connected(data: ConnectData, first: boolean): void
  refresh(data: RefreshData): void
  /** Called on an operator's notice frame, `{"cmd":"notice","message":...}`. */
  notice(message: string): void
}

/** Close codes that end reconnecting: invalid host, host not allowed, frame too large. */
const STOP_CODES = [4400, 4403, 1009]
const BACKOFF_BASE_MS = 1000
const BACKOFF_MAX_MS = 30_000
const LONG_BACKOFF_MAX_MS = 10 * 60_000
/** Window over which pages reconnect after a shutdown (1001), so a restart is not hit at once. */
export const DRAIN_WINDOW_MS = 5000
/** A socket that stayed open this long resets the backoff. */
const STABLE_MS = 10_000

/**
 * Returns the delay in ms before reconnecting after a close, or null to stop. `attempt` counts
 * the closes since the last stable socket. Ordinary failures get capped exponential backoff
 * with full jitter. The host limit (4429) and a paused or full service (4503, or 1013 for a
 * socket that read too slowly) wait a floor plus jitter, and a shutdown (1001) spreads the
 * reconnects at random over DRAIN_WINDOW_MS.
 */
export function reconnectDelay(
  code: number,
  attempt: number,
  random: () => number = Math.random,
): number | null {
  if (STOP_CODES.includes(code)) return null
  if (code === 1001) return random() * DRAIN_WINDOW_MS
  if (code === 4429) return longBackoff(60_000, attempt, random())
  if (code === 4503 || code === 1013) return longBackoff(15_000, attempt, random())
  return random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt)
}

const longBackoff = (floorMs: number, attempt: number, random: number) =>
  floorMs + random * Math.min(LONG_BACKOFF_MAX_MS, floorMs * 2 ** attempt)

/**
 * Keeps at most one visitor socket open to `url` for the page's life. Reconnects per close code,
 * waits while the tab is hidden, and closes the socket while the page sits in the back/forward
 * cache.
 */
export function startConnection(url: string, handlers: ConnectionHandlers): void {
  let socket: WebSocket | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let attempt = 0
  let connects = 0
  let openedAt = 0
  let stopped = false
  let waitingForVisible = false

  const open = () => {
    timer = undefined
    if (stopped || socket) return
    if (document.hidden) {
      waitingForVisible = true
      return
    }
    try {
      socket = new WebSocket(url)
    } catch {
      // A Content Security Policy or a ws: URL on an https: page makes the constructor throw.
      stopped = true
      return
    }
    const ws = socket
    ws.onmessage = (event) => {
      const data = frameData(event.data)
      if (data?.message === 'socketizer connected') {
        openedAt = Date.now()
        handlers.connected(data, connects++ === 0)
      } else if (data?.cmd === 'refreshPost') handlers.refresh(data)
      else if (data?.cmd === 'notice' && typeof data.message === 'string') {
        handlers.notice(data.message)
      }
    }
    ws.onclose = (event) => {
      if (socket !== ws) return
      socket = null
      if (openedAt > 0 && Date.now() - openedAt >= STABLE_MS) attempt = 0
      openedAt = 0
      const delay = reconnectDelay(event.code, attempt)
      if (event.code !== 1001) attempt++
      if (delay === null) stopped = true
      else timer = setTimeout(open, delay)
    }
  }

  document.addEventListener('visibilitychange', () => {
    if (document.hidden || !waitingForVisible) return
    waitingForVisible = false
    open()
  })
  // An open WebSocket makes a page ineligible for the back/forward cache, and closing it on
  // pagehide keeps the page eligible (web-platform-tests websockets/back-forward-cache-*).
  window.addEventListener('pagehide', (event) => {
    if (!event.persisted) return
    clearTimeout(timer)
    const ws = socket
    socket = null
    ws?.close(1000)
  })
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) open()
  })
  open()
}

function frameData(text: unknown): (ConnectData & RefreshData) | null {
  try {
    const frame = JSON.parse(String(text))
    return frame && typeof frame.Data === 'object' ? frame.Data : null
  } catch {
    return null
  }
}
