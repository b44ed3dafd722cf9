import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { binaryPath } from '../binary'
import {
  logEntries,
  makeTempDir,
  readDeployFile,
  readIfExists,
  requireProgram,
  substitute,
  waitFor,
} from './programs'

/** The state and pid that `supervisorctl status socketizer` prints. */
export interface ProgramStatus {
  state: string
  pid: number | undefined
}

/** A supervisord started by a test, running the repository's program file. */
export interface Supervised extends AsyncDisposable {
  dataDir: string
  programLog: string
  supervisordLog: string
  ctl(...args: string[]): Promise<{ code: number; output: string }>
  status(): Promise<ProgramStatus>
  /** Waits for RUNNING with a pid other than `previousPid`, and returns the pid and server URL. */
  waitForRunning(previousPid?: number): Promise<{ pid: number; url: string }>
  stop(): Promise<void>
}

/**
 * Rewrites deploy/supervisor/socketizer.conf for a test: the binary path, the data and log
 * directories, and the user. The listen address becomes 127.0.0.1:0, so each start of the
 * service takes a free port and logs it.
 */
export function programForTest(dataDir: string, logDir: string): string {
  // supervisord takes a numeric uid as well as a name. Bun 1.4.4's os.userInfo() returns
  // the name "unknown" when USER is not set, so the uid is used.
  const uid = String(process.getuid!())
  let program = readDeployFile('supervisor/socketizer.conf')
  program = substitute(program, 'command=/opt/socketizer/socketizer ', `command=${binaryPath} `)
  program = substitute(program, '/var/lib/socketizer', dataDir)
  program = substitute(program, '/var/log/socketizer', logDir)
  program = substitute(program, /^user=socketizer$/m, `user=${uid}`)
  program = substitute(program, 'USER="socketizer"', `USER="${process.env.USER ?? uid}"`)
  return substitute(
    program,
    'SOCKETIZER_LISTEN="127.0.0.1:8080"',
    'SOCKETIZER_LISTEN="127.0.0.1:0"',
  )
}

/** Returns a supervisord.conf whose socket, logs and pid file are all inside `dir`. */
function supervisordConfig(dir: string): string {
  return `[unix_http_server]
file=${join(dir, 'supervisor.sock')}
chmod=0700

[supervisord]
logfile=${join(dir, 'supervisord.log')}
pidfile=${join(dir, 'supervisord.pid')}
childlogdir=${dir}
loglevel=info
; Below the open-file limit of test machines; production uses supervisord-minfds.conf.snippet.
minfds=1024

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://${join(dir, 'supervisor.sock')}

[include]
files = ${join(dir, 'socketizer.conf')}
`
}

/** Starts supervisord with the program file, which starts the service too (autostart). */
export async function startSupervised(dataDir: string): Promise<Supervised> {
  const supervisord = requireProgram('supervisord')
  const supervisorctl = requireProgram('supervisorctl')
  const dir = makeTempDir('socketizer-supervisor-')
  const logDir = join(dir, 'log')
  mkdirSync(logDir)
  const config = join(dir, 'supervisord.conf')
  writeFileSync(join(dir, 'socketizer.conf'), programForTest(dataDir, logDir))
  writeFileSync(config, supervisordConfig(dir))
  const child = Bun.spawn([supervisord, '-n', '-c', config], {
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
  })
  // supervisord prints configuration errors on stderr before it opens its log.
  const stderr = new Response(child.stderr).text()
  const programLog = join(logDir, 'socketizer.log')
  const supervisordLog = join(dir, 'supervisord.log')

  const ctl = async (...args: string[]) => {
    const run = Bun.spawn([supervisorctl, '-c', config, ...args], {
      stdout: 'pipe',
      stderr: 'pipe',
    })
    const [stdout, stderr, code] = await Promise.all([
      new Response(run.stdout).text(),
      new Response(run.stderr).text(),
      run.exited,
    ])
    return { code, output: stdout + stderr }
  }
  const status = async (): Promise<ProgramStatus> => {
    const { output } = await ctl('status', 'socketizer')
    const match = output.match(/^socketizer\s+([A-Z]+)(?:\s+pid (\d+))?/m)
    return { state: match?.[1] ?? output.trim(), pid: match?.[2] ? Number(match[2]) : undefined }
  }
  const waitForRunning = async (previousPid?: number) => {
    const pid = await waitFor('supervisorctl status RUNNING', async () => {
      if (child.exitCode !== null) {
        throw new Error(`supervisord exited with ${child.exitCode}: ${await stderr}`)
      }
      const current = await status()
      const started = current.state === 'RUNNING' && current.pid !== previousPid
      return started ? current.pid : undefined
    })
    const url = await waitFor(`a "listening" line from pid ${pid}`, () => {
      const line = logEntries(readIfExists(programLog)).findLast(
        (entry) => entry.msg === 'listening' && entry.pid === pid,
      )
      return line ? String(line.url) : undefined
    })
    return { pid: pid!, url }
  }
  const stop = async () => {
    if (child.exitCode === null) {
      const { pid } = await status().catch(() => ({ pid: undefined }))
      await ctl('shutdown')
      const exited = await Promise.race([child.exited, Bun.sleep(30_000).then(() => null)])
      if (exited === null) {
        child.kill('SIGKILL')
        if (pid) process.kill(pid, 'SIGKILL')
        await child.exited
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }
  return {
    dataDir,
    programLog,
    supervisordLog,
    ctl,
    status,
    waitForRunning,
    stop,
    [Symbol.asyncDispose]: stop,
  }
}
