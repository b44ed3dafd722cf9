import { describe as bunDescribe, test as bunTest } from 'bun:test'
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page, type WebSocket } from 'playwright-core'

/** Debian's chromium package installs here; CHROMIUM_PATH overrides it. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * True when Chromium is missing outside CI: the browser tests then skip with a message, so
 * `npm test` passes on a machine without it. Under CI=true a missing Chromium fails them.
 */
export const browserMissing = !existsSync(chromiumPath) && process.env.CI !== 'true'
if (browserMissing) console.warn(`browser tests skipped: no Chromium at ${chromiumPath}`)

/** bun:test's `describe` and `test`, skipped when `browserMissing`. */
export const describe = browserMissing ? bunDescribe.skip : bunDescribe
export const test = browserMissing ? bunTest.skip : bunTest

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: install it with "apt-get install -y chromium" ` +
        'or set CHROMIUM_PATH to a Chromium or Chrome binary',
    )
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

/** One WebSocket a page opened, with the Data of every frame it received. */
export interface SocketRecord {
  socket: WebSocket
  frames: Record<string, string>[]
  closed: boolean
}

/** Records every visitor socket a page (or its iframes) opens. */
export class SocketWatch {
  readonly sockets: SocketRecord[] = []
  private waiters: (() => void)[] = []

  constructor(page: Page) {
    page.on('websocket', (socket) => {
      const record: SocketRecord = { socket, frames: [], closed: false }
      this.sockets.push(record)
      socket.on('framereceived', ({ payload }) => {
        record.frames.push(JSON.parse(String(payload)).Data)
        this.wake()
      })
      socket.on('close', () => {
        record.closed = true
        this.wake()
      })
      this.wake()
    })
  }

  private wake() {
    for (const waiter of this.waiters.splice(0)) waiter()
  }

  /** Resolves when `check` holds, checking after each socket event; rejects after `timeoutMs`. */
  async until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!check()) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Connect frames received over all sockets. */
  connects(): Record<string, string>[] {
    return this.sockets.flatMap((s) => s.frames.filter((f) => f.message === 'socketizer connected'))
  }

  refreshes(): Record<string, string>[] {
    return this.sockets.flatMap((s) => s.frames.filter((f) => f.cmd === 'refreshPost'))
  }
}
