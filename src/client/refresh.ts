import { hideNotice, showNotice } from './notice'
import { editedFields, FIELDS } from './fields'
import { swapContent } from './swap'
import { concernsPage, type PageConfig, type RefreshData } from './urls'

/** Minimum time between the starts of two fetches of the page, whatever the spread hints. */
const MIN_INTERVAL_MS = 1000

let timer: ReturnType<typeof setTimeout> | undefined
let fetching = false
let lastStart = -Infinity
/** Spread of a frame that arrived while a fetch was in flight, or -1 if none did. */
let missedSpread = -1
/** An update that came due while the tab was hidden, run when the visitor shows the tab. */
let deferred: (() => void) | null = null

document.addEventListener('visibilitychange', () => {
  if (document.hidden || !deferred) return
  const resume = deferred
  deferred = null
  resume()
})

/**
 * Schedules an update of the page if the frame concerns it, after a random delay within the
 * frame's spread hint so that the site's visitors do not all fetch at once. Frames that arrive
 * while an update waits are served by that update. A frame that arrives while the page is being
 * fetched gets one more update, because that response may predate the change. A hidden tab
 * waits until it is shown, so background tabs add no load.
 */
export function handleRefresh(data: RefreshData, config: PageConfig): void {
  if (
    !concernsPage(data, config, location.href, document.body.classList) &&
    !alsoConcerns(data, config)
  ) {
    return
  }
  const spread = Math.max(0, Number(data.spread) || 0)
  if (fetching) missedSpread = Math.max(missedSpread, spread)
  else schedule(spread, config)
}

function schedule(spread: number, config: PageConfig) {
  if (timer !== undefined) return
  const earliest = lastStart + MIN_INTERVAL_MS - Date.now()
  timer = setTimeout(() => run(config), Math.max(earliest, Math.random() * spread))
}

async function run(config: PageConfig) {
  timer = undefined
  if (document.hidden) {
    deferred = () => schedule(0, config)
    return
  }
  fetching = true
  lastStart = Date.now()
  try {
    await updatePage(config, false)
  } finally {
    fetching = false
    if (missedSpread >= 0) schedule(missedSpread, config)
    missedSpread = -1
  }
}

/**
 * Fetches the open page again and swaps the changed content in. Shows the notice when a change
 * would replace what the visitor is editing, and reloads only when no region can be swapped. A
 * failed or non-HTML response leaves the page as it is.
 */
export async function updatePage(config: PageConfig, force: boolean): Promise<void> {
  const next = await fetchPage(location.href.split('#')[0]!)
  if (!next) return
  const result = keepScroll(() => swapContent(next, force))
  if (result === 'complete') hideNotice()
  else if (result === 'partial') notify(config, () => updatePage(config, true))
  else if (editedFields(document).length > 0) notify(config, () => location.reload())
  else return location.reload()
  document.dispatchEvent(new CustomEvent('socketizer:refresh', { detail: { result } }))
}

async function fetchPage(url: string): Promise<Document | null> {
  try {
    const response = await fetch(url, {
      credentials: 'same-origin',
      cache: 'no-cache',
      headers: { accept: 'text/html' },
    })
    if (!response.ok || !/html/i.test(response.headers.get('content-type') ?? '')) return null
    return new DOMParser().parseFromString(await response.text(), 'text/html')
  } catch {
    // NOTE: the page stays as it is until the next refresh frame.
    return null
  }
}

function notify(config: PageConfig, onRefresh: () => void) {
  const text = config.noticeText || 'New content is available.'
  showNotice(text, config.refreshText || 'Refresh', onRefresh)
}

/**
 * Runs a DOM change without moving the visible content: the focused field, else the element at a
 * third of the viewport's height, stays where it was on screen. If that element was replaced,
 * the scroll offset is restored instead.
 */
function keepScroll<T>(change: () => T): T {
  const x = scrollX
  const y = scrollY
  const active = document.activeElement
  const anchor =
    active && active.matches(FIELDS)
      ? active
      : document.elementFromPoint(innerWidth / 2, innerHeight / 3)
  const top = anchor?.getBoundingClientRect().top ?? 0
  const result = change()
  if (anchor?.isConnected) scrollBy(0, anchor.getBoundingClientRect().top - top)
  else scrollTo(x, y)
  return result
}

/** Tells whether one of the refreshes merged into the frame's `also` concerns this page. */
function alsoConcerns(data: RefreshData, config: PageConfig): boolean {
  if (!data.also) return false
  if (data.also === '*') return true
  try {
    const merged = JSON.parse(data.also) as RefreshData[]
    return (
      Array.isArray(merged) &&
      merged.some((item) =>
        concernsPage({ ...item }, config, location.href, document.body.classList),
      )
    )
  } catch {
    return false
  }
}
