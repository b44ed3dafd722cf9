// Smoke test of the benchmark: tiny sizes, every scenario, no timing asserted. It checks that
// each scenario printed a summary line per server and that every expected delivery arrived.
import { describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = join(import.meta.dir, '..')
const BINARY = join(ROOT, 'dist/socketizer')
const SCENARIOS = ['connect', 'fanout', 'api', 'soak', 'hold']

const TINY_FLAGS = [
  ['--scenarios', SCENARIOS.join(',')],
  ['--sizes', '20'],
  ['--repeats', '1'],
  ['--connect-hosts', '2'],
  ['--fanout-hosts', '1,2'],
  ['--refreshes', '2'],
  ['--api-requests', '100'],
  ['--api-concurrency', '8'],
  ['--api-sockets', '0,10'],
  ['--soak-seconds', '3'],
  ['--soak-sockets', '10'],
  ['--soak-churn', '2'],
  ['--soak-hosts', '3'],
  ['--soak-sample-seconds', '1'],
  ['--hold-sockets', '30'],
  ['--hold-seconds', '2'],
  ['--hold-hosts', '2'],
  ['--hold-sample-seconds', '1'],
].flat()

interface Summary {
  type: string
  scenario: string
  variant: string
  server: string
  delivered: number
  expected: number
}

async function runBench(servers: string[]) {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'))
  try {
    const proc = Bun.spawn({
      cmd: [
        process.execPath,
        join(ROOT, 'bench/run.ts'),
        ...TINY_FLAGS,
        '--servers',
        servers.join(','),
        '--out',
        join(outDir, 'results.jsonl'),
      ],
      cwd: ROOT,
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    const summaries = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Summary)
      .filter((line) => line.type === 'summary')
    return { code, stderr, summaries }
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

function expectEveryScenario(summaries: Summary[], servers: string[]) {
  for (const server of servers) {
    for (const scenario of SCENARIOS) {
      const lines = summaries.filter((s) => s.server === server && s.scenario === scenario)
      expect(lines.length, `${scenario} on ${server} printed no summary`).toBeGreaterThan(0)
      for (const line of lines) {
        const where = `${scenario} ${line.variant} on ${server}`
        expect(line.expected, `${where} expected nothing`).toBeGreaterThan(0)
        expect(line.delivered, `${where} delivered`).toBe(line.expected)
      }
    }
  }
}

describe('bench smoke', () => {
  test('reference servers complete every scenario', async () => {
    const servers = ['ref-bun', 'ref-node']
    const { code, stderr, summaries } = await runBench(servers)
    expect(code, stderr).toBe(0)
    expectEveryScenario(summaries, servers)
  }, 60_000)

  if (!existsSync(BINARY)) {
    console.warn('bench smoke: dist/socketizer is missing (run npm run build), skipping socketizer')
  }

  test.skipIf(!existsSync(BINARY))(
    'socketizer completes every scenario',
    async () => {
      const { code, stderr, summaries } = await runBench(['socketizer'])
      expect(code, stderr).toBe(0)
      expectEveryScenario(summaries, ['socketizer'])
    },
    60_000,
  )
})
