// Driver side of the socket generators: spawns the children, spreads sockets over them and
// collects their replies. One child opens at most MAX_SOCKETS_PER_GENERATOR sockets because every
// process here may have at most 20,000 open files.
import type { Subprocess } from 'bun'
import { sum } from './stats'
import type { CompleteEvent, GenCommand, GenReport, OpenResult } from '../gen/protocol'

export const MAX_SOCKETS_PER_GENERATOR = 19_000
const GENERATOR_SCRIPT = new URL('../gen/sockets.ts', import.meta.url).pathname

export interface ClientOptions {
  client: 'ws' | 'native'
  sourceAddrs: string[]
  inflight: number
  timeoutMs: number
}

export interface OpenTotals extends OpenResult {
  /** Sockets requested. */
  requested: number
}

type Reply = Record<string, unknown> & { id?: number; ev: string }
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

class Generator {
  readonly openByHost = new Map<string, number>()
  private waiting = new Map<number, (reply: Reply) => void>()
  private lastId = 0
  proc!: Subprocess

  constructor(private onEvent: (gen: Generator, reply: Reply) => void) {}

  start(): Promise<void> {
    return new Promise((resolve) => {
      this.proc = Bun.spawn({
        cmd: [process.execPath, GENERATOR_SCRIPT],
        stdio: ['ignore', 'inherit', 'inherit'],
        ipc: (message: Reply) => {
          if (message.ev === 'ready') return resolve()
          const waiter = message.id === undefined ? undefined : this.waiting.get(message.id)
          if (waiter) {
            this.waiting.delete(message.id!)
            waiter(message)
          } else this.onEvent(this, message)
        },
      })
    })
  }

  request(cmd: DistributiveOmit<GenCommand, 'id'>, timeoutMs: number): Promise<Reply> {
    const id = ++this.lastId
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        reject(new Error(`generator ${this.proc.pid}: '${cmd.op}' timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiting.set(id, (reply) => {
        clearTimeout(timer)
        if (reply.openByHost) this.setOpen(reply.openByHost as Record<string, number>)
        resolve(reply)
      })
      this.proc.send({ ...cmd, id })
    })
  }

  private setOpen(counts: Record<string, number>) {
    this.openByHost.clear()
    for (const [host, count] of Object.entries(counts)) this.openByHost.set(host, count)
  }

  async stop() {
    try {
      this.proc.send({ op: 'exit' })
    } catch {
      // The child already exited; nothing to tell it.
    }
    const exited = await Promise.race([this.proc.exited, Bun.sleep(6000).then(() => null)])
    if (exited === null) this.proc.kill('SIGKILL')
  }
}

/** Splits `total` sockets evenly over hosts, then each host's share evenly over generators. */
export function planSockets(total: number, hosts: string[], generators: number) {
  const plans: [string, number][][] = Array.from({ length: generators }, () => [])
  hosts.forEach((host, h) => {
    const forHost = Math.floor(total / hosts.length) + (h < total % hosts.length ? 1 : 0)
    for (let g = 0; g < generators; g++) {
      const extra = (g - h + generators * hosts.length) % generators < forHost % generators
      const count = Math.floor(forHost / generators) + (extra ? 1 : 0)
      if (count > 0) plans[g]!.push([host, count])
    }
  })
  return plans
}

export class GeneratorPool {
  private gens: Generator[] = []
  private completes = new Map<string, CompleteEvent[]>()
  private completeWaiters = new Map<string, () => void>()

  static async spawn(count: number): Promise<GeneratorPool> {
    const pool = new GeneratorPool()
    pool.gens = Array.from({ length: count }, () => new Generator((g, r) => pool.onEvent(r)))
    await Promise.all(pool.gens.map((gen) => gen.start()))
    return pool
  }

  static sizeFor(sockets: number, minimum = 1): number {
    return Math.max(minimum, Math.ceil(sockets / MAX_SOCKETS_PER_GENERATOR))
  }

  get pids(): number[] {
    return this.gens.map((gen) => gen.proc.pid)
  }

  private onEvent(reply: Reply) {
    if (reply.ev !== 'complete') return
    const event = reply as unknown as CompleteEvent
    const list = this.completes.get(event.postId) ?? []
    list.push(event)
    this.completes.set(event.postId, list)
    this.completeWaiters.get(event.postId)?.()
  }

  openOn(host: string): number {
    let total = 0
    for (const gen of this.gens) total += gen.openByHost.get(host) ?? 0
    return total
  }

  openTotal(): number {
    let total = 0
    for (const gen of this.gens) total += sum(gen.openByHost.values())
    return total
  }

  async open(url: string, total: number, hosts: string[], options: ClientOptions) {
    const plans = planSockets(total, hosts, this.gens.length)
    const budget = options.timeoutMs + (total / Math.max(1, options.inflight)) * options.timeoutMs
    const replies = await Promise.all(
      this.gens.map((gen, g) =>
        gen.request({ op: 'open', url, plan: plans[g]!, ...options }, budget),
      ),
    )
    return mergeOpen(replies as unknown as OpenResult[], total)
  }

  /** Closes the `count` oldest sockets, spread over the generators. */
  async close(count: number): Promise<number> {
    const share = planSockets(count, ['all'], this.gens.length)
    const replies = await Promise.all(
      this.gens.map((gen, g) =>
        gen.request({ op: 'close', count: share[g]![0]?.[1] ?? 0 }, 10_000),
      ),
    )
    return replies.reduce((total, reply) => total + Number(reply.closed), 0)
  }

  /**
   * Waits until every socket on `host` has received `postId`, or `timeoutMs` passes.
   * Returns the epoch ms of the last arrival, or 0 when none arrived.
   */
  async waitDelivered(postId: string, host: string, timeoutMs: number): Promise<number> {
    const needed = this.gens.filter((gen) => (gen.openByHost.get(host) ?? 0) > 0).length
    const arrived = () => this.completes.get(postId)?.length ?? 0
    if (arrived() < needed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs)
        this.completeWaiters.set(postId, () => {
          if (arrived() >= needed) {
            clearTimeout(timer)
            resolve()
          }
        })
      })
      this.completeWaiters.delete(postId)
    }
    const events = this.completes.get(postId) ?? []
    this.completes.delete(postId)
    return Math.max(0, ...events.map((event) => event.last))
  }

  async report(): Promise<GenReport> {
    const replies = await Promise.all(this.gens.map((gen) => gen.request({ op: 'report' }, 30_000)))
    const merged: GenReport = {
      receipts: {},
      duplicates: 0,
      wrongHost: 0,
      unexpectedCloses: 0,
      badFrames: 0,
    }
    for (const reply of replies as unknown as GenReport[]) {
      for (const [postId, times] of Object.entries(reply.receipts)) {
        // concat, not push(...times): a spread of 100k+ arguments overflows the call stack.
        merged.receipts[postId] = (merged.receipts[postId] ?? []).concat(times)
      }
      merged.duplicates += reply.duplicates
      merged.wrongHost += reply.wrongHost
      merged.unexpectedCloses += reply.unexpectedCloses
      merged.badFrames += reply.badFrames
    }
    return merged
  }

  async stop() {
    await Promise.all(this.gens.map((gen) => gen.stop()))
  }
}

function mergeOpen(results: OpenResult[], requested: number): OpenTotals {
  const totals: OpenTotals = {
    requested,
    connected: 0,
    refused: 0,
    failed: 0,
    reasons: {},
    startedAt: Math.min(...results.map((r) => r.startedAt)),
    lastConnectedAt: Math.max(...results.map((r) => r.lastConnectedAt)),
  }
  for (const result of results) {
    totals.connected += result.connected
    totals.refused += result.refused
    totals.failed += result.failed
    for (const [reason, count] of Object.entries(result.reasons)) {
      totals.reasons[reason] = (totals.reasons[reason] ?? 0) + count
    }
  }
  return totals
}
