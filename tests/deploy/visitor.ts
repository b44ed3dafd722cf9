import { EventEmitter } from 'node:events'

/** The part of the `ws` client that these tests use, because the repository has no ws typings. */
interface WsClient extends EventEmitter {
  close(code?: number): void
  terminate(): void
}

// Bun's built-in `ws` module, unlike the global WebSocket, emits the server's pings.
const WsClient: new (url: string) => WsClient = require('ws')

export interface Frame {
  Timestamp: string
  Data: Record<string, string>
}

/** A visitor's socket that records frames, pings from the server and the close event. */
export class Visitor {
  readonly frames: Frame[] = []
  pings = 0
  closeCode: number | undefined
  readonly closed: Promise<number>
  private readonly socket: WsClient
  private readonly listeners = new Set<() => void>()

  constructor(url: string) {
    this.socket = new WsClient(url)
    const closed = Promise.withResolvers<number>()
    this.closed = closed.promise
    this.socket.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(String(data)) as Frame)
      this.notify()
    })
    this.socket.on('ping', () => this.pings++)
    this.socket.on('error', () => {})
    this.socket.on('close', (code: number) => {
      this.closeCode = code
      closed.resolve(code)
      this.notify()
    })
  }

  /** Opens a socket and waits for the service's connect frame. */
  static async connect(url: string): Promise<Visitor> {
    const visitor = new Visitor(url)
    await visitor.waitForFrames(1)
    return visitor
  }

  refreshFrames(): Frame[] {
    return this.frames.filter((frame) => frame.Data.cmd === 'refreshPost')
  }

  /** Resolves once `count` frames arrived, and rejects if the socket closes first. */
  async waitForFrames(count: number): Promise<Frame[]> {
    while (this.frames.length < count) {
      if (this.closeCode !== undefined) {
        throw new Error(
          `socket closed with ${this.closeCode} after ${this.frames.length} of ${count} frames`,
        )
      }
      await new Promise<void>((resolve) => this.listeners.add(resolve))
    }
    return this.frames.slice(0, count)
  }

  close() {
    this.socket.close()
  }

  private notify() {
    for (const wake of this.listeners) wake()
    this.listeners.clear()
  }
}

/** A refresh body as the WordPress plugin sends it. */
export const refreshBody = (host: string, apiKey: string, postId: string) =>
  JSON.stringify({
    host,
    apiKey,
    postUrl: `http://${host}/hello-live-world/`,
    postId,
    pageForPosts: `http://${host}`,
    what: 'post',
    commentUrl: '',
    commentId: '',
  })

export const refreshPath = '/service/api/v1/wordpress/cmd/client/refresh/post/'
