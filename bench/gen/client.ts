// One visitor socket, behind a common interface for the two client implementations:
// - 'ws': Bun's built-in `ws` module, which honours `localAddress`, so sockets can be spread over
//   several loopback source addresses (each has its own ~28k ephemeral ports per destination).
// - 'native': Bun's global WebSocket, cheaper in CPU but always sourced from 127.0.0.1.
import WS from 'ws'

export type ClientKind = 'ws' | 'native'

export interface ClientEvents {
  message(text: string): void
  /** The server rejected the upgrade with an HTTP status other than 101. */
  rejected(status: number): void
  close(code: number): void
  error(message: string): void
}

export interface Client {
  close(): void
  terminate(): void
}

export function openClient(
  kind: ClientKind,
  url: string,
  localAddress: string | undefined,
  events: ClientEvents,
): Client {
  return kind === 'native' ? openNative(url, events) : openWs(url, localAddress, events)
}

function openWs(url: string, localAddress: string | undefined, events: ClientEvents): Client {
  const ws = new WS(url, { localAddress })
  ws.on('message', (data: Buffer | string) => events.message(String(data)))
  ws.on('unexpected-response', (_req: unknown, res: { statusCode?: number }) => {
    events.rejected(res.statusCode ?? 0)
    ws.terminate()
  })
  ws.on('close', (code: number) => events.close(code))
  ws.on('error', (err: Error) => events.error(err.message))
  return { close: () => ws.close(1000), terminate: () => ws.terminate() }
}

function openNative(url: string, events: ClientEvents): Client {
  const ws = new WebSocket(url)
  ws.onmessage = (event) => events.message(String(event.data))
  ws.onclose = (event) => events.close(event.code)
  ws.onerror = () => events.error('websocket error')
  return { close: () => ws.close(1000), terminate: () => ws.close() }
}
