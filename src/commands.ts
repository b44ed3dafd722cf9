import {
  booleanFlag,
  expiryFlag,
  integerFlag,
  openRegistry,
  parseCommand,
  printSettings,
  printSite,
  type Flags,
} from './cli'

type Command = { usage: string; run(args: string[]): Promise<void> }

const siteFlags = {
  'max-connections': { type: 'string' },
  'reloads-per-second': { type: 'string' },
  expires: { type: 'string' },
} as const

const siteFlagHelp = `  --max-connections N       concurrent sockets of the site ("default" for the service default)
  --reloads-per-second N    page reloads per second its origin takes ("default" for the service default)
  --expires DATE            YYYY-MM-DD (end of that day, UTC), an ISO date-time, or "never"`

const commonHelp = `  --data-dir DIR            data directory (SOCKETIZER_DATA_DIR, default ./data)
  --json                    print JSON instead of text`

const siteInput = (flags: Flags) => ({
  maxConnections: integerFlag(flags, 'max-connections', true),
  reloadsPerSecond: integerFlag(flags, 'reloads-per-second', true),
  expiresAt: expiryFlag(flags),
})

const output = (flags: Flags, value: unknown, text: () => void) =>
  flags.json ? console.log(JSON.stringify(value, null, 2)) : text()

/** Runs a command that takes one HOST argument. */
function withHost(
  usage: string,
  options: Parameters<typeof parseCommand>[1],
  run: (host: string, flags: Flags) => Promise<void>,
): Command {
  return {
    usage,
    async run(args) {
      const { flags, positionals } = parseCommand(args, options)
      if (flags.help) return console.log(usage)
      if (positionals.length !== 1) throw new UsageError(usage)
      await run(positionals[0]!, flags)
    },
  }
}

export class UsageError extends Error {}

export const siteCommands: Record<string, Command> = {
  add: withHost(
    `Usage: socketizer site add HOST [options]\nRegisters a site and prints its API key once.\n${siteFlagHelp}\n  --api-key KEY             keep an existing key (32-256 printable characters)\n  --inactive                register it inactive\n${commonHelp}`,
    { ...siteFlags, 'api-key': { type: 'string' }, inactive: { type: 'boolean' } },
    async (host, flags) => {
      const registry = await openRegistry(flags, true)
      const input = { host, ...siteInput(flags), apiKey: flags['api-key'], active: !flags.inactive }
      const { site, apiKey } = await registry.addSite(input)
      output(flags, { ...site, apiKey }, () => {
        printSite(site)
        console.log(`\nAPI key (shown once, store it in the WordPress plugin settings):\n${apiKey}`)
      })
    },
  ),
  show: withHost(
    `Usage: socketizer site show HOST\nPrints a site and its monthly counters.\n${commonHelp}`,
    {},
    async (host, flags) => {
      const registry = await openRegistry(flags)
      const site = registry.view(await registry.getSite(host))
      const stats = await registry.store.readSiteStats(site.host)
      output(flags, { ...site, stats }, () => {
        printSite(site)
        for (const month of stats) {
          console.log(
            `${month.month}: ${month.refreshes} refreshes, ${month.socketsServed} sockets served, peak ${month.peakSockets}`,
          )
        }
      })
    },
  ),
  update: withHost(
    `Usage: socketizer site update HOST [options]\nChanges a site's limits, expiry or active flag.\n${siteFlagHelp}\n  --active true|false       activate or deactivate the site\n${commonHelp}`,
    { ...siteFlags, active: { type: 'string' } },
    async (host, flags) => {
      const registry = await openRegistry(flags)
      const site = await registry.updateSite(host, {
        ...siteInput(flags),
        active: booleanFlag(flags, 'active'),
      })
      output(flags, site, () => printSite(site))
    },
  ),
  remove: withHost(
    `Usage: socketizer site remove HOST\nDeletes a site; its sockets are refused from then on.\n${commonHelp}`,
    {},
    async (host, flags) => {
      const registry = await openRegistry(flags)
      await registry.removeSite(host)
      output(flags, { removed: host }, () => console.log(`removed ${host}`))
    },
  ),
  'rotate-key': withHost(
    `Usage: socketizer site rotate-key HOST\nReplaces a site's API key and prints the new one once; the old key stops working.\n${commonHelp}`,
    {},
    async (host, flags) => {
      const registry = await openRegistry(flags)
      const { site, apiKey } = await registry.rotateKey(host)
      output(flags, { host: site.host, apiKey }, () =>
        console.log(`new API key for ${site.host} (shown once):\n${apiKey}`),
      )
    },
  ),
  list: {
    usage: `Usage: socketizer site list [--offset N] [--limit N]\nLists registered sites.\n${commonHelp}`,
    async run(args) {
      const { flags } = parseCommand(args, {
        offset: { type: 'string' },
        limit: { type: 'string' },
      })
      if (flags.help) return console.log(this.usage)
      const registry = await openRegistry(flags)
      const page = await registry.listSites(
        integerFlag(flags, 'offset') ?? 0,
        integerFlag(flags, 'limit') ?? 100,
      )
      output(flags, page, () => {
        for (const s of page.sites) {
          console.log(
            `${s.host.padEnd(40)} ${s.status.padEnd(9)} max ${s.maxConnections ?? 'default'}  expires ${s.expiresAt ?? 'never'}`,
          )
        }
        console.log(`${page.total} site(s)`)
      })
    },
  },
}

export const settingsCommand: Command = {
  usage: `Usage: socketizer settings [options]\nPrints the service settings, after changing those given.\n  --active true|false                   accept new sockets (false refuses them with 4503)\n  --max-connections N                   concurrent sockets over all hosts\n  --default-site-max-connections N      limit of a site without its own\n  --default-reloads-per-second N        reload rate of a site without its own\n  --free-mode true|false                treat every registered site as active whatever its expiry\n${commonHelp}`,
  async run(args) {
    const { flags } = parseCommand(args, {
      active: { type: 'string' },
      'max-connections': { type: 'string' },
      'default-site-max-connections': { type: 'string' },
      'default-reloads-per-second': { type: 'string' },
      'free-mode': { type: 'string' },
    })
    if (flags.help) return console.log(this.usage)
    const patch = {
      active: booleanFlag(flags, 'active'),
      maxConnections: integerFlag(flags, 'max-connections'),
      defaultSiteMaxConnections: integerFlag(flags, 'default-site-max-connections'),
      defaultReloadsPerSecond: integerFlag(flags, 'default-reloads-per-second'),
      freeMode: booleanFlag(flags, 'free-mode'),
    }
    const changed = Object.values(patch).some((value) => value !== undefined)
    const registry = await openRegistry(flags, changed)
    const settings = changed ? await registry.updateSettings(patch) : registry.settings
    output(flags, settings, () => printSettings(settings))
  },
}

export const serviceKeyCommand: Command = {
  usage: `Usage: socketizer service-key rotate\nReplaces the admin API's service key and prints the new one once.\nA server started with --service-key puts that key back at its next start.\n${commonHelp}`,
  async run(args) {
    const { flags, positionals } = parseCommand(args, {})
    if (flags.help) return console.log(this.usage)
    if (positionals[0] !== 'rotate' || positionals.length !== 1) throw new UsageError(this.usage)
    const registry = await openRegistry(flags, true)
    const key = await registry.rotateServiceKey()
    output(flags, { serviceKey: key }, () => console.log(`new service key (shown once):\n${key}`))
  },
}

export const healthcheckCommand: Command = {
  usage: `Usage: socketizer healthcheck [--url URL]\nExits 0 when the server's /healthz returns 200, for container health checks.\n  --url URL                 base URL of the server (default from SOCKETIZER_LISTEN, 127.0.0.1:8080,\n                            with https when SOCKETIZER_TLS_CERT is set)`,
  async run(args) {
    const { flags } = parseCommand(args, { url: { type: 'string' } })
    if (flags.help) return console.log(this.usage)
    const listen = (process.env.SOCKETIZER_LISTEN ?? '127.0.0.1:8080').replace(
      /^0\.0\.0\.0:/,
      '127.0.0.1:',
    )
    const scheme = process.env.SOCKETIZER_TLS_CERT ? 'https' : 'http'
    const base = (flags.url as string | undefined) ?? `${scheme}://${listen}`
    // The check runs on the server's own machine, where its certificate's name may not match.
    const response = await fetch(`${base}/healthz`, {
      signal: AbortSignal.timeout(3000),
      tls: { rejectUnauthorized: false },
    })
    if (response.status !== 200) throw new Error(`${base}/healthz returned ${response.status}`)
    console.log('ok')
  },
}

export const statsCommand: Command = {
  usage: `Usage: socketizer stats\nPrints the counters kept across restarts (written by the server about once a second).\n${commonHelp}`,
  async run(args) {
    const { flags } = parseCommand(args, {})
    if (flags.help) return console.log(this.usage)
    const registry = await openRegistry(flags)
    const totals = await registry.store.readTotals()
    const sites = await registry.store.readSiteStats()
    output(flags, { totals, sites }, () => {
      for (const [name, value] of Object.entries(totals)) console.log(`${name.padEnd(20)}${value}`)
      for (const s of sites)
        console.log(
          `${s.host} ${s.month}: ${s.refreshes} refreshes, ${s.socketsServed} sockets served, peak ${s.peakSockets}`,
        )
    })
  },
}
