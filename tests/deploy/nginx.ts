import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  freePort,
  makeTempDir,
  readDeployFile,
  readIfExists,
  requireProgram,
  substitute,
  waitFor,
} from './programs'

/** An nginx master process started by a test, with its own prefix directory. */
export interface Nginx extends AsyncDisposable {
  url: string
  wsUrl: string
  dir: string
  stop(): Promise<void>
}

/**
 * Rewrites deploy/nginx/socketizer.conf for a test, changing nothing but the address of each
 * "listen" line (production: port 80 on every address) and the upstream's "server" line.
 */
export function siteForTest(port: number, upstream: string): string {
  let site = readDeployFile('nginx/socketizer.conf')
  site = substitute(site, /^\s*listen 80;$/m, `    listen 127.0.0.1:${port};`)
  site = substitute(site, /^\s*listen \[::\]:80;$/m, `    listen [::1]:${port};`)
  site = substitute(site, /^\s*server 127\.0\.0\.1:8080;$/m, `    server ${upstream};`)
  return site
}

/**
 * Returns a main configuration whose paths are all inside `dir`, so that neither the system's
 * nginx.conf nor its log and temporary directories are used. `main` is extra main-context text.
 */
export function mainConfig(dir: string, http: string, main = 'events {}'): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((name) => `  ${name}_temp_path ${join(dir, name)};`)
    .join('\n')
  return `pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} notice;
${main}
http {
  access_log ${join(dir, 'access.log')};
${temp}
${http}
}
`
}

/** Starts nginx in front of `upstream` (HOST:PORT) on a free loopback port. */
export async function startNginx(upstream: string): Promise<Nginx> {
  const nginx = requireProgram('nginx')
  let lastError: Error | undefined
  // A port picked as free can be taken before nginx binds it, so a failed bind retries.
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = makeTempDir('socketizer-nginx-')
    const port = freePort()
    writeFileSync(join(dir, 'socketizer.conf'), siteForTest(port, upstream))
    const config = mainConfig(
      dir,
      `  include ${join(dir, 'socketizer.conf')};`,
      'worker_processes 1;\nevents { worker_connections 512; }',
    )
    writeFileSync(join(dir, 'nginx.conf'), config)
    const args = ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')]
    const child = Bun.spawn([nginx, ...args, '-g', 'daemon off;'], {
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'ignore',
    })
    try {
      await waitUntilListening(dir, child)
      return running(child, dir, port)
    } catch (error) {
      child.kill('SIGKILL')
      await child.exited
      lastError = new Error(`${(error as Error).message}\n${readIfExists(join(dir, 'error.log'))}`)
      rmSync(dir, { recursive: true, force: true })
    }
  }
  throw lastError
}

function running(child: Bun.Subprocess, dir: string, port: number): Nginx {
  const stop = async () => {
    if (child.exitCode !== null) return
    child.kill('SIGTERM')
    await child.exited
    rmSync(dir, { recursive: true, force: true })
  }
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    dir,
    stop,
    [Symbol.asyncDispose]: stop,
  }
}

/** Waits for nginx's pid file, which nginx writes only after it has bound every listen address. */
async function waitUntilListening(dir: string, child: Bun.Subprocess) {
  await waitFor(`nginx to write ${join(dir, 'nginx.pid')}`, () => {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`)
    return existsSync(join(dir, 'nginx.pid')) ? true : undefined
  })
}
