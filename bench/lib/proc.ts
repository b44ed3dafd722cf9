// Resource readings of another process from /proc (Linux only).
import { readdirSync, readFileSync } from 'node:fs'

// USER_HZ is 100 on every mainstream Linux build; /proc/PID/stat counts CPU time in these ticks.
const CLOCK_TICKS_PER_SECOND = 100

export interface ProcSample {
  /** Epoch milliseconds when the sample was taken. */
  at: number
  /** Resident set size in bytes. */
  rssBytes: number
  /** User plus system CPU time of all threads, in seconds. */
  cpuSeconds: number
  /** Number of open file descriptors. */
  fds: number
}

export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name in field 2 may contain spaces and brackets, so count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0)
  return {
    at: Date.now(),
    rssBytes: rssKb * 1024,
    cpuSeconds: (utime + stime) / CLOCK_TICKS_PER_SECOND,
    fds: readdirSync(`/proc/${pid}/fd`).length,
  }
}

export function cpuDelta(before: ProcSample, after: ProcSample): number {
  return after.cpuSeconds - before.cpuSeconds
}
