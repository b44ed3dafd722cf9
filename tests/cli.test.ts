import { describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Database } from 'bun:sqlite'
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

describe('CLI misuse', () => {
  test('read-only command on a missing data dir fails', async () => {
    const dir = join(newDataDir(), 'typo')
    const result = await runCli(['stats', '--data-dir', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      `error: no registry in ${dir} (socketizer.sqlite not found); check --data-dir or SOCKETIZER_DATA_DIR\n`,
    )
    expect(existsSync(dir)).toBe(false)
  })

  test('errors name the flag and follow --json', async () => {
    const dir = newDataDir()
    const text = await runCli([
      'site',
      'add',
      'a.example',
      '--max-connections',
      '0',
      '--data-dir',
      dir,
    ])
    expect(text.stderr).toBe('error: --max-connections must be at least 1\n')
    const json = await runCli([
      'site',
      'add',
      'a.example',
      '--expires',
      '2020-02-30',
      '--json',
      '--data-dir',
      dir,
    ])
    expect(JSON.parse(json.stderr)).toEqual({
      error: { code: 'invalid_body', message: '--expires must be a real date' },
    })
  })

  test('site --help lists the site commands', async () => {
    const result = await runCli(['site', '--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('rotate-key HOST')
  })

  test('newer registry schema stops the start', async () => {
    const dir = newDataDir()
    await runCli(['site', 'add', 'a.example', '--data-dir', dir])
    const db = new Database(join(dir, 'socketizer.sqlite'))
    db.run('INSERT INTO schema_migration VALUES (99)')
    db.close()
    const result = await runCli(['serve', '--data-dir', dir, '--listen', '127.0.0.1:0'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      "the registry's schema version 99 is newer than this binary's 1",
    )
  })
})

describe('serve configuration', () => {
  test('service key value is never echoed', async () => {
    const result = await runCli([
      'serve',
      '--service-key',
      'short-secret',
      '--data-dir',
      newDataDir(),
    ])
    expect(result.code).toBe(1)
    expect(result.stderr).toBe(
      'error: invalid --service-key (SOCKETIZER_SERVICE_KEY): must be at least 32 characters\n',
    )
  })

  test('unreadable TLS file and file as data dir are named', async () => {
    const tls = await runCli([
      'serve',
      '--tls-cert',
      '/etc/hostname',
      '--tls-key',
      '/nonexistent.pem',
      '--data-dir',
      newDataDir(),
    ])
    expect(tls.stderr).toBe(
      'error: invalid --tls-cert (SOCKETIZER_TLS_CERT) "/etc/hostname": must be a readable PEM file\n',
    )
    const dir = await runCli(['serve', '--data-dir', '/etc/hostname'])
    expect(dir.stderr).toBe(
      'error: invalid --data-dir (SOCKETIZER_DATA_DIR) "/etc/hostname": must be a directory\n',
    )
  })

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
