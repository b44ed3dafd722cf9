import { describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, startBinary } from './binary'
import { connect, pluginBody } from './helpers'

const newDataDir = () => mkdtempSync(join(tmpdir(), 'socketizer-cli-'))

describe('site commands of the binary', () => {
  const dir = newDataDir()
  const cli = (...args: string[]) => runCli([...args, '--data-dir', dir])

  test('add prints the key once and canonicalises the host', async () => {
    const added = await cli(
      'site',
      'add',
      'HTTPS://Blog.Example.com:443/news/',
      '--max-connections',
      '25',
    )
    expect(added.code).toBe(0)
    expect(added.stdout).toContain('host                blog.example.com/news')
    expect(added.stdout).toMatch(/API key \(shown once.*\n[A-Za-z0-9_-]{44}\n/)
    const shown = await cli('site', 'show', 'blog.example.com/news', '--json')
    expect(JSON.parse(shown.stdout)).toMatchObject({
      host: 'blog.example.com/news',
      maxConnections: 25,
    })
    expect(shown.stdout).not.toContain('keyHash')
  })

  test('update, list, rotate-key and remove', async () => {
    await cli('site', 'add', 'two.example')
    const updated = await cli('site', 'update', 'two.example', '--expires', '2020-05-01', '--json')
    expect(JSON.parse(updated.stdout)).toMatchObject({ status: 'expired' })
    const list = await cli('site', 'list', '--json')
    expect(JSON.parse(list.stdout).sites.map((s: { host: string }) => s.host)).toContain(
      'two.example',
    )
    const rotated = await cli('site', 'rotate-key', 'two.example', '--json')
    expect(JSON.parse(rotated.stdout).apiKey).toHaveLength(44)
    expect((await cli('site', 'remove', 'two.example')).stdout).toBe('removed two.example\n')
    const missing = await cli('site', 'show', 'two.example')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe('error: site two.example is not registered\n')
  })

  test('settings change and print', async () => {
    const changed = await cli(
      'settings',
      '--max-connections',
      '500',
      '--free-mode',
      'true',
      '--json',
    )
    expect(JSON.parse(changed.stdout)).toMatchObject({ maxConnections: 500, freeMode: true })
  })

  test.each([
    [['site', 'add', 'bad host'], 'error: host: Host must not contain whitespace'],
    [
      ['site', 'add', 'ok.example', '--max-connections', 'many'],
      'error: --max-connections must be a whole number or "default"',
    ],
    [['settings', '--free-mode', 'maybe'], 'error: --free-mode must be true or false'],
    [['site', 'add', 'ok.example', '--colour', 'red'], "error: Unknown option '--colour'"],
  ])('%p fails with a clear message', async (args, message) => {
    const result = await cli(...args)
    expect(result.code).toBe(1)
    expect(result.stderr).toStartWith(message)
  })

  test('--help works for every command', async () => {
    for (const args of [
      ['--help'],
      ['serve', '--help'],
      ['site', 'add', '--help'],
      ['settings', '--help'],
      ['stats', '--help'],
    ]) {
      const result = await runCli(args)
      expect(result.code).toBe(0)
      expect(result.stdout).toStartWith('Usage: socketizer')
    }
  })
})

describe('serve configuration', () => {
  test('invalid setting stops the start with its name', async () => {
    const result = await runCli(['serve', '--listen', 'nowhere', '--data-dir', newDataDir()])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      'error: invalid --listen (SOCKETIZER_LISTEN) "nowhere": must be HOST:PORT, for example 127.0.0.1:8080\n',
    )
  })

  test('environment variable is read', async () => {
    const result = await runCli(['serve', '--data-dir', newDataDir()], {
      SOCKETIZER_IDLE_TIMEOUT: '2',
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      'invalid --idle-timeout (SOCKETIZER_IDLE_TIMEOUT) "2": must be at least 5',
    )
  })
})

describe('first start and restarts', () => {
  test('first start writes the service key file and hints at site add', async () => {
    const dir = newDataDir()
    await using server = await startBinary([], dir)
    const keyFile = join(dir, 'service-key')
    expect(existsSync(keyFile)).toBe(true)
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    const key = readFileSync(keyFile, 'utf8').trim()
    const response = await fetch(`${server.url}/service/api/v1/pool`, {
      headers: { authorization: `Bearer ${key}` },
    })
    expect(response.status).toBe(200)
    const messages = server.logs.map((l) => String(l.msg))
    expect(messages.some((m) => m.startsWith('no sites registered yet'))).toBe(true)
    expect(JSON.stringify(server.logs)).not.toContain(key)
  })

  test('stats survive a SIGTERM restart', async () => {
    const dir = newDataDir()
    const apiKey = JSON.parse(
      (await runCli(['site', 'add', 'keep.example', '--data-dir', dir, '--json'])).stdout,
    ).apiKey
    const first = await startBinary(['--coalesce-window-ms', '0'], dir)
    const socket = await connect(
      `${first.url.replace('http', 'ws')}/service/wordpress/live/keep.example`,
    )
    for (let i = 0; i < 3; i++) {
      const response = await fetch(
        `${first.url}/service/api/v1/wordpress/cmd/client/refresh/post/`,
        {
          method: 'POST',
          body: JSON.stringify(pluginBody('keep.example', apiKey)),
        },
      )
      expect(response.status).toBe(200)
    }
    await socket.waitForFrames(4)
    expect(await first.stop()).toBe(0)
    expect((await socket.closed).code).toBe(1001)
    const stats = JSON.parse((await runCli(['stats', '--data-dir', dir, '--json'])).stdout)
    expect(stats.totals).toMatchObject({
      socketsServed: 1,
      refreshRequests: 3,
      refreshFrames: 3,
      messagesSent: 3,
      peakSockets: 1,
    })
    expect(stats.sites[0]).toMatchObject({
      host: 'keep.example',
      refreshes: 3,
      socketsServed: 1,
      peakSockets: 1,
    })
  })
})
