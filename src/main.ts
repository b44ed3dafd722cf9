#!/usr/bin/env bun
import { describeOptions, loadServeConfig, argOptions, serveOptions } from './config'
import { parseArgs } from 'node:util'
import { ApiError } from './errors'
import { cliMessage } from './cli'
import { createLogger } from './log'
import { startServer } from './server'
import {
  healthcheckCommand,
  serviceKeyCommand,
  settingsCommand,
  siteCommands,
  statsCommand,
  UsageError,
} from './commands'

const usage = `Usage: socketizer COMMAND [options]

Commands:
  serve                  run the service
  site add|list|show|update|remove|rotate-key
                         manage registered WordPress sites
  settings               print or change service settings
  stats                  print the counters kept across restarts
  service-key rotate     replace the admin API's service key
  healthcheck            exit 0 when a local server answers /healthz

Run "socketizer COMMAND --help" for a command's options.`

const siteUsage = `Usage: socketizer site COMMAND [options]

Commands:
  add HOST               register a site and print its API key once
  list                   list registered sites
  show HOST              print a site and its monthly counters
  update HOST            change a site's limits, expiry or active flag
  remove HOST            delete a site
  rotate-key HOST        replace a site's API key and print the new one once

Run "socketizer site COMMAND --help" for a command's options.`

const serveUsage = `Usage: socketizer serve [options]
Runs the service. Each option can also be set by its environment variable.

${describeOptions(serveOptions)}`

/** Returns how to run this CLI again: the compiled binary's path, or the npm script in a checkout. */
function cliCommand(): string {
  // A compiled Bun executable runs its entry point from the embedded /$bunfs file system.
  return Bun.main.startsWith('/$bunfs/') ? process.execPath : 'npm run cli --'
}

async function serve(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { ...argOptions(serveOptions), help: { type: 'boolean', short: 'h' } },
    strict: true,
  })
  if (values.help) return console.log(serveUsage)
  const config = loadServeConfig(values)
  const log = createLogger(config.logLevel)
  const server = await startServer(config, log)
  if ((await server.service.registry.listSites(0, 1)).total === 0) {
    log.info(
      { dataDir: config.dataDir },
      `no sites registered yet; register one with: ${cliCommand()} site add HOST --data-dir ${config.dataDir}`,
    )
  }
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out')
      process.exit(1)
    }, config.shutdownTimeoutMs + 1000)
    server.stop().then(() => {
      clearTimeout(timer)
      process.exit(0)
    })
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
}

async function run(argv: string[]) {
  const [command, ...rest] = argv
  if (command === 'serve') return serve(rest)
  if (command === 'settings') return settingsCommand.run(rest)
  if (command === 'stats') return statsCommand.run(rest)
  if (command === 'service-key') return serviceKeyCommand.run(rest)
  if (command === 'healthcheck') return healthcheckCommand.run(rest)
  if (command === 'site') {
    const [name, ...args] = rest
    const sub = name ? siteCommands[name] : undefined
    if (sub) return sub.run(args)
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      return console.log(siteUsage)
    }
    throw new UsageError(`unknown site command ${JSON.stringify(name)}\n\n${siteUsage}`)
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    return console.log(usage)
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)}\n\n${usage}`)
}

const argv = process.argv.slice(2)
run(argv).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(error.message)
    process.exit(2)
  }
  const message =
    error instanceof ApiError
      ? cliMessage(error)
      : error instanceof Error
        ? error.message
        : String(error)
  // With --json a script reads the error in the API's shape; without it a person reads a line.
  if (argv.includes('--json')) {
    const code = error instanceof ApiError ? error.code : 'failed'
    console.error(JSON.stringify({ error: { code, message } }))
  } else console.error(`error: ${message}`)
  process.exit(1)
})
