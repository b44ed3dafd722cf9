// The part of the ws client API the generators use; the repo carries ws without its typings.
declare module 'ws' {
  import { EventEmitter } from 'node:events'

  export default class WebSocket extends EventEmitter {
    constructor(address: string, options?: { localAddress?: string })
    close(code?: number): void
    terminate(): void
  }
}
