import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadServeConfig } from '../src/config'
import { createLogger } from '../src/log'
import { refreshPath } from '../src/routes/refresh'
import { startServer, type RunningServer } from '../src/server'

/** A server started in this process on a free loopback port with its own data directory. */
export interface TestServer extends AsyncDisposable {
  server: RunningServer
  url: string
  dataDir: string
  wsUrl(host: string): string
  addSite(host: string, options?: Record<string, unknown>): Promise<string>
  refresh(body: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>
  stop(): Promise<void>
}

/** Starts a server; flags override the test defaults (silent logs, no coalescing). */
export async function startTestServer(flags: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = flags['data-dir'] ?? mkdtempSync(join(tmpdir(), 'socketizer-test-'))
  const config = loadServeConfig(
    {
      listen: '127.0.0.1:0',
      'data-dir': dataDir,
      'log-level': 'silent',
      'coalesce-window-ms': '0',
      ...flags,
    },
    {},
  )
  const server = await startServer(config, createLogger(config.logLevel))
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await server.stop()
    if (!flags['data-dir']) rmSync(dataDir, { recursive: true, force: true })
  }
  return {
    server,
    url: server.url,
    dataDir,
    wsUrl: (host) => `${server.url.replace(/^http/, 'ws')}/service/wordpress/live/${host}`,
    async addSite(host, options = {}) {
      const { apiKey } = await server.service.registry.addSite({ host, ...options })
      return apiKey
    },
    refresh: (body, headers = {}) =>
      fetch(`${server.url}${refreshPath}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', ...headers },
        body: JSON.stringify(body),
      }),
    stop,
    [Symbol.asyncDispose]: stop,
  }
}

export interface Frame {
  Timestamp: string
  Data: Record<string, string>
}

/** A client socket that records every frame and its close event. */
export class TestSocket {
  readonly frames: Frame[] = []
  readonly opened: Promise<void>
  readonly closed: Promise<{ code: number; reason: string }>
  private waiters: (() => void)[] = []
  readonly socket: WebSocket

  constructor(url: string) {
    this.socket = new WebSocket(url)
    const open = Promise.withResolvers<void>()
    const closed = Promise.withResolvers<{ code: number; reason: string }>()
    this.opened = open.promise
    this.closed = closed.promise
    this.socket.onopen = () => open.resolve()
    this.socket.onerror = () => open.reject(new Error(`socket to ${url} failed`))
    this.socket.onmessage = (event) => {
      this.frames.push(JSON.parse(String(event.data)))
      for (const wake of this.waiters.splice(0)) wake()
    }
    this.socket.onclose = (event) => {
      closed.resolve({ code: event.code, reason: event.reason })
      for (const wake of this.waiters.splice(0)) wake()
    }
  }

  /** Resolves once `count` frames arrived; rejects if the socket closes first. */
  async waitForFrames(count: number): Promise<Frame[]> {
    let closed = false
    void this.closed.then(() => (closed = true))
    while (this.frames.length < count) {
      if (closed) throw new Error(`socket closed after ${this.frames.length} of ${count} frames`)
      await new Promise<void>((resolve) => this.waiters.push(resolve))
      await Promise.resolve()
    }
    return this.frames.slice(0, count)
  }

  refreshFrames(): Frame[] {
    return this.frames.filter((f) => f.Data.cmd === 'refreshPost')
  }

  close() {
    this.socket.close()
  }
}

/** Opens a socket and waits for its connect frame. */
export async function connect(url: string): Promise<TestSocket> {
  const socket = new TestSocket(url)
  await socket.waitForFrames(1)
  return socket
}

/** A refresh body as the WordPress plugin sends it. */
export const pluginBody = (
  host: string,
  apiKey: string,
  overrides: Record<string, string> = {},
) => ({
  host,
  apiKey,
  postUrl: `http://${host}/hello-live-world/`,
  postId: '5',
  pageForPosts: `http://${host}`,
  what: 'post',
  commentUrl: '',
  commentId: '',
  ...overrides,
})
