// The contract between bench/run.ts and each scenario.
import type { BenchOptions } from '../lib/args'
import type { ClientOptions } from '../lib/generators'
import type { RunningServer } from '../lib/servers'

export interface Variant {
  /** Short label, unique within the scenario, such as 'n=1000 hosts=100'. */
  label: string
  /** Numbers that define the variant; plots use `sockets` as their x axis. */
  params: Record<string, number>
}

export interface RunContext {
  server: RunningServer
  options: BenchOptions
  /** WebSocket URL up to and including `/live/`. */
  liveUrl: string
  /** Site hosts that hold sockets; every server has them registered. */
  hosts: string[]
  /** A registered host without sockets, for the api scenario. */
  idleHost: string
  clientOptions: ClientOptions
  /** Pause between refresh rounds of one host, in ms, longer than any coalescing window. */
  gapMs: number
  /** Numbers postIds so each refresh of the invocation is unique. */
  nextPostId(): string
}

export interface RunResult {
  /** Numeric results; each is summarised as median, min and max over the repeats. */
  metrics: Record<string, number>
  /** Deliveries the run observed and the number it should have observed. */
  delivered: number
  expected: number
  /** Anything else worth keeping in the JSON lines of the single run, such as a time series. */
  detail?: Record<string, unknown>
}

export interface Scenario {
  name: string
  /** Reason the scenario cannot run yet. run.ts rejects it before starting anything. */
  unavailable?: string
  /** Most sockets any variant opens, so Socketizer's limits can be set above it. */
  maxSockets(options: BenchOptions): number
  /** Most site hosts any variant spreads sockets over. */
  hostsUsed(options: BenchOptions): number
  variants(options: BenchOptions): Variant[]
  run(ctx: RunContext, variant: Variant): Promise<RunResult>
  /** Readable columns for one summary row. */
  row(summary: Record<string, { median: number; min: number; max: number }>): string
}
