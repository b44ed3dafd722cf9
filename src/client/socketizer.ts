// Socketizer browser client: keeps one socket to the service and updates the page in place
// when a refresh frame concerns it. See docs/client.md.
import { startConnection, type ConnectData } from './connection'
import { showNotice } from './notice'
import { handleRefresh } from './refresh'
import { liveUrl, type PageConfig, type RefreshData } from './urls'

declare global {
  interface Window {
    socketizer?: PageConfig
  }
}

/** Marks the page as served, so a second copy of the script opens no second socket. */
const STARTED = Symbol.for('socketizer.started')

function start() {
  const config = window.socketizer
  const script =
    document.currentScript ??
    document.querySelector('script[src*="/service/static/wordpress/socketizer"]')
  const flags = window as unknown as Record<symbol, boolean>
  if (!config?.host || !(script instanceof HTMLScriptElement) || flags[STARTED]) return
  if (typeof WebSocket === 'undefined' || typeof DOMParser === 'undefined') return
  flags[STARTED] = true

  // The latest refresh this page has seen, kept for the page's life.
  let lastSeq = 0
  const received = (data: RefreshData) => {
    const seq = Number(data.seq)
    if (seq > 0 && seq <= lastSeq) return
    lastSeq = Math.max(lastSeq, seq || 0)
    handleRefresh(data, config)
  }
  const connected = (data: ConnectData, first: boolean) => {
    const seq = Number(data.seq) || 0
    // Only a reconnect catches up: a page just loaded already shows the latest content.
    const missed = !first && seq > lastSeq ? parseRefresh(data.lastRefresh) : null
    if (missed) received(missed)
    lastSeq = Math.max(lastSeq, seq)
  }
  startConnection(liveUrl(script.src, config.host, location.href), {
    connected,
    refresh: received,
    notice: (message) => showNotice(message),
  })
}

function parseRefresh(text: string | undefined): RefreshData | null {
  if (!text) return null
  try {
    const data = JSON.parse(text)
    return data && typeof data === 'object' ? data : null
  } catch {
    return null
  }
}

start()
