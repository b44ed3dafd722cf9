// Preparation of Socketizer runs: sites registered once through the CLI into a template data
// folder, which every run copies, so each server starts from the same state.
import { mkdirSync } from 'node:fs'

export const DEFAULT_SOCKETIZER_BINARY = new URL('../../dist/socketizer', import.meta.url).pathname

export interface SocketizerSetup {
  binary: string
  templateDir: string
  apiKeys: Map<string, string>
  /** Extra `serve` flags, such as turning off refresh coalescing. */
  serveArgs: string[]
  /** True when refreshes of one host within the coalescing window may merge. */
  coalesces: boolean
}

async function cli(binary: string, args: string[]): Promise<string> {
  const proc = Bun.spawn({ cmd: [binary, ...args], stdout: 'pipe', stderr: 'pipe' })
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000)
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  clearTimeout(timer)
  if (code !== 0)
    throw new Error(`socketizer ${args.join(' ')} failed (exit ${code}): ${err}${out}`)
  return out
}

export async function prepareSocketizer(
  binary: string,
  templateDir: string,
  hosts: string[],
  maxConnections: number,
): Promise<SocketizerSetup> {
  mkdirSync(templateDir, { recursive: true })
  const help = await cli(binary, ['serve', '--help'])
  const canTurnOffCoalescing = help.includes('--coalesce-window-ms')
  const limit = String(maxConnections)
  await cli(binary, ['settings', '--data-dir', templateDir, '--max-connections', limit])
  const apiKeys = new Map<string, string>()
  for (const host of hosts) {
    const out = await cli(binary, [
      'site',
      'add',
      host,
      '--data-dir',
      templateDir,
      '--max-connections',
      limit,
      '--json',
    ])
    const site = JSON.parse(out) as { host: string; apiKey: string }
    apiKeys.set(host, site.apiKey)
  }
  return {
    binary,
    templateDir,
    apiKeys,
    serveArgs: [
      '--log-level',
      'warn',
      ...(canTurnOffCoalescing ? ['--coalesce-window-ms', '0'] : []),
    ],
    coalesces: !canTurnOffCoalescing,
  }
}
