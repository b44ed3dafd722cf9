// Starts and stops the servers under test, each as its own process listening on 127.0.0.1.
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { sampleProcess, type ProcSample } from './proc'
import { prepareSocketizer, type SocketizerSetup } from './socketizer'

export const SERVER_NAMES = ['socketizer', 'ref-bun', 'ref-node'] as const
export type ServerName = (typeof SERVER_NAMES)[number]

const BENCH_DIR = new URL('..', import.meta.url).pathname
const READY_TIMEOUT_MS = 20_000
const running = new Set<Subprocess>()
const STOP_TIMEOUT_MS = 8_000

export interface RunningServer {
  name: ServerName
  pid: number
  /** IPV4:PORT the server listens on. */
  address: string
  apiKeyFor(host: string): string
  sample(): ProcSample
  stop(): Promise<void>
}

/** State shared by all runs of one invocation: work folder and the prepared Socketizer sites. */
export interface ServerEnv {
  workDir: string
  socketizer?: SocketizerSetup
}

export function createEnv(): ServerEnv {
  return { workDir: mkdtempSync(join(tmpdir(), 'socketizer-bench-')) }
}

/** Kills servers still running and removes the work folder; safe in an 'exit' handler. */
export function removeEnv(env: ServerEnv) {
  for (const proc of running) proc.kill('SIGKILL')
  rmSync(env.workDir, { recursive: true, force: true })
}

export function socketizerAvailable(binary: string): boolean {
  return existsSync(binary)
}

export async function prepareServers(
  env: ServerEnv,
  names: string[],
  hosts: string[],
  max: number,
  binary: string,
) {
  if (names.includes('socketizer')) {
    const templateDir = join(env.workDir, 'socketizer-template')
    env.socketizer = await prepareSocketizer(binary, templateDir, hosts, max)
  }
}

export async function freePort(): Promise<number> {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = listener.port
  listener.stop(true)
  return port
}

function command(name: ServerName, env: ServerEnv, listen: string, runDir: string): string[] {
  if (name === 'ref-bun')
    return [process.execPath, join(BENCH_DIR, 'ref-bun.ts'), '--listen', listen]
  if (name === 'ref-node') return ['node', join(BENCH_DIR, 'ref-node.mjs'), '--listen', listen]
  const setup = env.socketizer
  if (!setup) throw new Error('socketizer was not prepared: call prepareServers first')
  const dataDir = join(runDir, 'data')
  cpSync(setup.templateDir, dataDir, { recursive: true })
  return [setup.binary, 'serve', '--listen', listen, '--data-dir', dataDir, ...setup.serveArgs]
}

export async function startServer(name: ServerName, env: ServerEnv): Promise<RunningServer> {
  const address = `127.0.0.1:${await freePort()}`
  const runDir = mkdtempSync(join(env.workDir, `${name}-`))
  mkdirSync(runDir, { recursive: true })
  const logPath = join(runDir, 'server.log')
  const log = openSync(logPath, 'a')
  const proc = Bun.spawn({
    cmd: command(name, env, address, runDir),
    stdio: ['ignore', log, log],
  })
  running.add(proc)
  proc.exited.then(() => running.delete(proc))
  try {
    await waitReady(proc, address)
  } catch (err) {
    proc.kill('SIGKILL')
    const tail = readFileSync(logPath, 'utf8').slice(-2000)
    throw new Error(`${name} did not become ready: ${(err as Error).message}\n${tail}`)
  }
  const keys = env.socketizer?.apiKeys
  return {
    name,
    pid: proc.pid,
    address,
    apiKeyFor: (host) =>
      (name === 'socketizer' ? keys?.get(host) : undefined) ?? 'unused-by-reference',
    sample: () => sampleProcess(proc.pid),
    stop: () => stopProcess(proc),
  }
}

const warned = new Set<string>()
function warnOnce(message: string) {
  if (warned.has(message)) return
  warned.add(message)
  console.error(`warning: ${message}`)
}

async function waitReady(proc: Subprocess, address: string) {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`exited with code ${proc.exitCode}`)
    try {
      const res = await fetch(`http://${address}/readyz`)
      if (res.status === 200) return
      if (res.status === 404) {
        // NOTE: early builds had no /readyz. Any HTTP response at least shows the port is served.
        warnOnce('no GET /readyz (404); treating any HTTP answer as ready')
        return
      }
    } catch {
      // Not listening yet: poll again.
    }
    await Bun.sleep(50)
  }
  throw new Error(`GET /readyz did not return 200 within ${READY_TIMEOUT_MS} ms`)
}

async function stopProcess(proc: Subprocess) {
  proc.kill('SIGTERM')
  const stopped = await Promise.race([proc.exited, Bun.sleep(STOP_TIMEOUT_MS).then(() => null)])
  if (stopped === null) {
    proc.kill('SIGKILL')
    await proc.exited
  }
}
