import { createServer, connect, type Server, type Socket } from 'node:net'

/**
 * A loopback TCP proxy to one port that can cut every connection through it and refuse new ones,
 * as a dropped network does to a visitor's socket while the service stays up.
 */
export class CuttableProxy implements AsyncDisposable {
  /** While true, each new connection is closed as soon as it is accepted. */
  blocked = false
  private readonly sockets = new Set<Socket>()
  private readonly server: Server

  private constructor(targetPort: number) {
    this.server = createServer((client) => {
      if (this.blocked) return void client.destroy()
      const upstream = connect(targetPort, '127.0.0.1')
      for (const socket of [client, upstream]) {
        this.sockets.add(socket)
        socket.on('close', () => this.sockets.delete(socket))
        socket.on('error', () => {})
      }
      client.pipe(upstream)
      upstream.pipe(client)
      client.on('close', () => upstream.destroy())
      upstream.on('close', () => client.destroy())
    })
  }

  static async start(targetPort: number): Promise<CuttableProxy> {
    const proxy = new CuttableProxy(targetPort)
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
    return proxy
  }

  get url(): string {
    const address = this.server.address()
    if (address === null || typeof address === 'string') throw new Error('proxy is not listening')
    return `http://127.0.0.1:${address.port}`
  }

  /** Destroys every open connection, so both ends see the TCP connection drop. */
  cut() {
    for (const socket of this.sockets) socket.destroy()
  }

  async [Symbol.asyncDispose]() {
    this.cut()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
