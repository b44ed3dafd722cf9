import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The compiled service, built by `npm run build` before the tests run; SOCKETIZER_BINARY overrides it. */
export const binaryPath =
  process.env.SOCKETIZER_BINARY ?? join(import.meta.dir, '..', 'dist', 'socketizer')

/** Runs a CLI command of the compiled binary and returns its exit code and output. */
export async function runCli(args: string[], env: Record<string, string> = {}) {
  const child = Bun.spawn([binaryPath, ...args], {
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, ...env },
  })
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  return { code, stdout, stderr }
}

/** A `serve` process of the compiled binary on a free loopback port. */
export interface BinaryServer extends AsyncDisposable {
  process: Bun.Subprocess<'ignore', 'pipe', 'pipe'>
  url: string
  dataDir: string
  /** Log lines read so far, parsed. */
  logs: Record<string, unknown>[]
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number>
}

/** Starts `socketizer serve` and waits for its "listening" log line. */
export async function startBinary(args: string[] = [], dataDir?: string): Promise<BinaryServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'socketizer-bin-'))
  const child = Bun.spawn(
    [binaryPath, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dir, ...args],
    { stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' },
  )
  const logs: Record<string, unknown>[] = []
  const listening = Promise.withResolvers<string>()
  void readLines(child.stdout, (line) => {
    const entry = JSON.parse(line) as Record<string, unknown>
    logs.push(entry)
    if (entry.msg === 'listening') listening.resolve(String(entry.url))
  }).then(() => listening.reject(new Error('server exited before listening')))
  const url = await listening.promise
  const stop = async () => {
    child.kill('SIGTERM')
    const code = await child.exited
    if (!dataDir) rmSync(dir, { recursive: true, force: true })
    return code
  }
  return {
    process: child,
    url,
    dataDir: dir,
    logs,
    stop,
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null) await stop()
    },
  }
}

async function readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  const decoder = new TextDecoder()
  const reader = stream.getReader()
  let buffered = ''
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    buffered += decoder.decode(chunk.value, { stream: true })
    let end: number
    while ((end = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, end)
      buffered = buffered.slice(end + 1)
      if (line.startsWith('{')) onLine(line)
    }
  }
}
