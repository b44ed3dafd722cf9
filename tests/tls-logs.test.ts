import { expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, startBinary } from './binary'
import { pluginBody } from './helpers'

test('binary serves TLS with --tls-cert and --tls-key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'socketizer-tls-'))
  const openssl = Bun.spawnSync(
    [
      'openssl',
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stderr: 'pipe' },
  )
  expect(openssl.exitCode).toBe(0)
  await runCli(['site', 'add', 'secure.example', '--data-dir', dir])
  await using server = await startBinary(
    ['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem')],
    dir,
  )
  expect(server.url).toStartWith('https://')
  const health = await fetch(`${server.url}/healthz`, { tls: { rejectUnauthorized: false } })
  expect(await health.json()).toEqual({ status: 'ok' })
  const socket = new WebSocket(
    `${server.url.replace('https', 'wss')}/service/wordpress/live/secure.example`,
    {
      tls: { rejectUnauthorized: false },
    } as unknown as string[],
  )
  const frame = await new Promise<string>((resolve, reject) => {
    socket.onmessage = (event) => resolve(String(event.data))
    socket.onerror = () => reject(new Error('wss connection failed'))
  })
  expect(JSON.parse(frame).Data.message).toBe('socketizer connected')
  socket.close()
  const check = await runCli(['healthcheck'], {
    SOCKETIZER_LISTEN: server.url.replace('https://', ''),
    SOCKETIZER_TLS_CERT: join(dir, 'cert.pem'),
  })
  expect(check).toEqual({ code: 0, stdout: 'ok\n', stderr: '' })
})

test('tls cert without key is rejected at start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'socketizer-tls-'))
  writeFileSync(join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\n')
  const result = await runCli(['serve', '--tls-cert', join(dir, 'cert.pem'), '--data-dir', dir])
  expect(result.code).toBe(1)
  expect(result.stderr).toBe(
    'error: invalid configuration: --tls-cert and --tls-key must be given together\n',
  )
})

test('log lines carry host and connection id, never a key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'socketizer-logs-'))
  const apiKey = JSON.parse(
    (await runCli(['site', 'add', 'logs.example', '--data-dir', dir, '--json'])).stdout,
  ).apiKey
  const serviceKey = 'logs-test-service-key-0123456789abcdefghij'
  await using server = await startBinary(['--service-key', serviceKey], dir)
  const socket = new WebSocket(
    `${server.url.replace('http', 'ws')}/service/wordpress/live/logs.example`,
  )
  await new Promise((resolve) => (socket.onmessage = resolve))
  await fetch(`${server.url}/service/api/v1/wordpress/cmd/client/refresh/post/`, {
    method: 'POST',
    body: JSON.stringify(pluginBody('logs.example', apiKey)),
  })
  await fetch(`${server.url}/service/api/v1/settings`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${serviceKey}` },
    body: JSON.stringify({ defaultSiteMaxConnections: 9 }),
  })
  const refused = new WebSocket(
    `${server.url.replace('http', 'ws')}/service/wordpress/live/nobody.example`,
  )
  await new Promise((resolve) => (refused.onclose = resolve))
  socket.close()
  await server.stop()
  const byMessage = (msg: string) => server.logs.find((entry) => entry.msg === msg)
  expect(byMessage('socket connected')).toMatchObject({
    level: 'info',
    host: 'logs.example',
    conn: expect.any(String),
  })
  expect(byMessage('refresh accepted')).toMatchObject({
    level: 'info',
    host: 'logs.example',
    what: 'post',
  })
  expect(byMessage('admin change')).toMatchObject({ action: 'settings updated' })
  expect(byMessage('socket refused')).toMatchObject({ host: 'nobody.example', code: 4403 })
  expect(byMessage('shutting down')).toMatchObject({ signal: 'SIGTERM' })
  expect(byMessage('stopped')).toBeDefined()
  const all = JSON.stringify(server.logs)
  expect(all).not.toContain(apiKey)
  expect(all).not.toContain(serviceKey)
})
