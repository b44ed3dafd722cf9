// Checks of the deploy files that need neither nginx nor supervisord. systemd-analyze verifies
// the unit, and the Dockerfile's health check runs against the compiled service. Docker itself
// is not run here.
import { describe, expect, test } from 'bun:test'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { binaryPath, runCli, startBinary } from '../binary'
import { findProgram, freePort, makeTempDir, readDeployFile } from './programs'

const dockerfile = readFileSync(join(import.meta.dir, '..', '..', 'Dockerfile'), 'utf8')
  .replace(/\\\n\s*/g, ' ')
  .split('\n')

/** The arguments of the first Dockerfile instruction named `name`. */
const instruction = (name: string) =>
  dockerfile.find((line) => line.startsWith(`${name} `))?.slice(name.length + 1) ?? ''

const systemdAnalyze = findProgram('systemd-analyze')
if (!systemdAnalyze) console.warn('skipping the systemd unit check: systemd-analyze not installed')

describe('systemd unit', () => {
  test.skipIf(!systemdAnalyze)('unit passes systemd-analyze verify', () => {
    const dir = makeTempDir('socketizer-systemd-')
    const unit = readDeployFile('systemd/socketizer.service')
    expect(unit).toContain('ExecStart=/opt/socketizer/socketizer serve')
    // verify checks that ExecStart is executable, so it points to the compiled binary.
    const path = join(dir, 'socketizer.service')
    writeFileSync(path, unit.replace('/opt/socketizer/socketizer', binaryPath))
    const result = Bun.spawnSync([systemdAnalyze!, 'verify', path])
    rmSync(dir, { recursive: true, force: true })
    // Unknown keys and bad values are warnings on stderr, not a failing exit code.
    expect(result.stderr.toString()).toBe('')
    expect(result.exitCode).toBe(0)
  })

  test('stop timeout leaves room for the shutdown', () => {
    const unit = readDeployFile('systemd/socketizer.service')
    const shutdownMs = Number(unit.match(/SOCKETIZER_SHUTDOWN_TIMEOUT_MS=(\d+)/)?.[1])
    const stopSeconds = Number(unit.match(/^TimeoutStopSec=(\d+)$/m)?.[1])
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m)
    expect(unit).toMatch(/^LimitNOFILE=\d{6,}$/m)
    // The service exits at most 1 s after its shutdown timeout.
    expect(stopSeconds * 1000).toBeGreaterThan(shutdownMs + 1000)
  })
})

describe('Dockerfile', () => {
  const listen = instruction('ENV').match(/SOCKETIZER_LISTEN=(\S+)/)?.[1] ?? ''
  const healthcheck = JSON.parse(instruction('HEALTHCHECK').match(/CMD (\[.*\])/)?.[1] ?? '[]')
  /** Runs the image's health check command with the compiled binary and a test port. */
  const runHealthcheck = (port: number) => {
    const [program, ...args] = healthcheck as string[]
    expect(program).toBe('/opt/socketizer/socketizer')
    return runCli(args, { SOCKETIZER_LISTEN: listen.replace(/:\d+$/, `:${port}`) })
  }

  test('image listens on all addresses as non-root', () => {
    expect(listen).toBe('0.0.0.0:8080')
    expect(instruction('EXPOSE')).toBe('8080')
    expect(instruction('USER')).not.toMatch(/^(0|root)\b/)
  })

  test('health check passes against a running service', async () => {
    await using server = await startBinary()
    const result = await runHealthcheck(Number(new URL(server.url).port))
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
  })

  test('health check fails with no service', async () => {
    const result = await runHealthcheck(freePort())
    expect(result.code).not.toBe(0)
  })
})
