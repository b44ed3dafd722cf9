import { domainToASCII } from 'node:url'

/** Maximum hostname length: RFC 1035 allows 255 octets in wire format, 253 characters as text. */
export const MAX_HOSTNAME_LENGTH = 253
/** Maximum DNS label length (RFC 1035). */
export const MAX_LABEL_LENGTH = 63
/** Maximum path length in UTF-16 code units after decoding, counting the leading '/'. */
// NOTE: WordPress sets no path limit, so 256 is a policy choice rather than a protocol limit.
export const MAX_PATH_LENGTH = 256
/** Maximum canonical host length: hostname, ':' with a five-digit port, and path. */
export const MAX_HOST_LENGTH = MAX_HOSTNAME_LENGTH + 6 + MAX_PATH_LENGTH
/**
 * Maximum raw input length, checked before decoding. A maximal host percent-encoded at 12
 * characters per code point (four UTF-8 bytes as %XX each) needs about 6200, so 8192 leaves margin.
 */
export const MAX_INPUT_LENGTH = 8192

export type HostResult = { ok: true; host: string } | { ok: false; reason: string }

class InvalidHostError extends Error {}

const SCHEME = /^https?:\/\//i
const OTHER_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i
const LABEL = /^[a-z0-9_-]+$/
// RFC 3986 pchar without '%', plus '/' and any non-ASCII character.
const INVALID_PATH_CHARACTER = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/\u0080-\u{10FFFF}]/u
const INVALID_HOSTNAME_CHARACTER = /[^A-Za-z0-9._\-[\]:\u0080-\u{10FFFF}]/u
const FORBIDDEN_CHARACTERS: [RegExp, string][] = [
  [/\s/u, 'whitespace'],
  [/[\p{Cc}\p{Cf}\p{Cs}]/u, 'control or invisible formatting characters'],
  [/\\/, 'backslashes (use / to separate the path)'],
  [/\?/, 'a query (?)'],
  [/#/, 'a fragment (#)'],
]

/**
 * Converts a host as the Socketizer plugin sends it (the WordPress home URL without its scheme) to
 * canonical form. That is a lower-case ASCII hostname without a trailing dot, then ':port' unless
 * the port is 80 or 443, then the percent-decoded path without trailing slashes. Rejected input
 * gets a reason fit for an API error message.
 */
export function canonicalHost(input: string): HostResult {
  // The visitors of a site all send the same raw path, so results are cached. Inputs come from
  // clients, so the cache is bounded in entries and in key length. Results are frozen because
  // callers share them.
  if (typeof input !== 'string' || input.length > CACHED_INPUT_MAX_LENGTH) return parse(input)
  let result = recentResults.get(input)
  if (result === undefined) {
    if (recentResults.size >= CACHE_MAX_ENTRIES) recentResults.clear()
    result = Object.freeze(parse(input))
    recentResults.set(input, result)
  }
  return result
}

const CACHE_MAX_ENTRIES = 4096
const CACHED_INPUT_MAX_LENGTH = 512
const recentResults = new Map<string, HostResult>()

function parse(input: string): HostResult {
  try {
    return { ok: true, host: parseHost(input) }
  } catch (error) {
    if (error instanceof InvalidHostError) return { ok: false, reason: error.message }
    throw error
  }
}

function fail(reason: string): never {
  throw new InvalidHostError(reason)
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text)
}

function parseHost(input: string): string {
  if (typeof input !== 'string' || input === '') {
    fail('Host is empty. Expected a string such as example.com.')
  }
  if (input.length > MAX_INPUT_LENGTH) fail(`Host is longer than ${MAX_INPUT_LENGTH} characters.`)
  checkCharacters(input)
  const rest = input.replace(SCHEME, '')
  if (OTHER_SCHEME.test(rest)) {
    fail('Host has an unsupported scheme. Expected http://, https:// or none.')
  }

  const slash = rest.indexOf('/')
  const authority = slash === -1 ? rest : rest.slice(0, slash)
  const path = slash === -1 ? '' : rest.slice(slash)
  // A hostname needs escapes only for the UTF-8 bytes of an IDN, so only %80-%FF are accepted.
  // Encoded ASCII could otherwise smuggle in '/', '@', ':' or control characters.
  if (/%[0-7]/.test(authority)) fail('Hostname must not contain percent-encoded ASCII characters.')
  // A decoded %2F would split one path segment into two, so the host would name another path.
  if (/%2f/i.test(path)) fail('Path must not contain an encoded slash (%2F).')

  const decodedAuthority = decode(authority)
  const decodedPath = decode(path)
  checkCharacters(decodedAuthority + decodedPath)
  return canonicalAuthority(decodedAuthority) + canonicalPath(decodedPath)
}

function checkCharacters(text: string): void {
  for (const [pattern, description] of FORBIDDEN_CHARACTERS) {
    const found = pattern.exec(text)
    if (found) fail(`Host must not contain ${description}, found ${quote(found[0])}.`)
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return fail('Host contains invalid percent-encoding. Expected UTF-8 escapes such as %C3%BC.')
  }
}

function canonicalAuthority(authority: string): string {
  if (authority.includes('@')) fail('Host must not contain user info (user@). Expected a hostname.')
  if (!authority.startsWith('[') && authority.split(':').length > 2) {
    fail('Host has more than one colon. IPv6 addresses must be in brackets, such as [::1]:8080.')
  }
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(.*))?$/.exec(authority)
  if (!match) fail(`Host ${quote(authority)} is invalid. Expected a hostname or [IPv6 address].`)
  const [, hostname = '', port] = match
  if (hostname === '') fail('Host is missing a hostname. Expected e.g. example.com.')
  return canonicalHostname(hostname) + canonicalPort(port)
}

function canonicalPort(port: string | undefined): string {
  if (port === undefined) return ''
  const number = Number(port)
  if (!/^\d{1,5}$/.test(port) || number < 1 || number > 65535) {
    fail(`Port ${quote(port)} is invalid. Expected a number from 1 to 65535.`)
  }
  return number === 80 || number === 443 ? '' : `:${number}`
}

function canonicalHostname(hostname: string): string {
  // Checked first because domainToASCII in Bun 1.4 cuts 'a?b' to 'a' instead of rejecting it.
  const invalid = INVALID_HOSTNAME_CHARACTER.exec(hostname)
  if (invalid) fail(`Hostname must not contain ${quote(invalid[0])}.`)
  // domainToASCII in Bun 1.4 lower-cases, maps full-width forms, converts IDNs to punycode and
  // normalizes IPv4 and IPv6 addresses (the tests check each). It returns '' when it cannot.
  const ascii = domainToASCII(hostname).replace(/\.$/, '')
  if (ascii === '') fail(`Hostname ${quote(hostname)} is invalid. Expected a name or IP address.`)
  if (ascii.startsWith('[')) return ascii
  if (ascii.length > MAX_HOSTNAME_LENGTH) {
    fail(`Hostname is longer than ${MAX_HOSTNAME_LENGTH} characters.`)
  }
  for (const label of ascii.split('.')) checkLabel(label)
  return ascii
}

function checkLabel(label: string): void {
  const name = `Hostname label ${quote(label)}`
  if (label === '') fail('Hostname contains an empty label. Expected single dots between labels.')
  if (label.length > MAX_LABEL_LENGTH) {
    fail(`${name} is longer than ${MAX_LABEL_LENGTH} characters.`)
  }
  if (!LABEL.test(label)) fail(`${name} may only contain letters, digits, - and _.`)
  if (/^-|-$/.test(label)) fail(`${name} must not start or end with a hyphen.`)
}

function canonicalPath(path: string): string {
  let end = path.length
  while (end > 0 && path[end - 1] === '/') end--
  const trimmed = path.slice(0, end)
  if (trimmed === '') return ''
  if (trimmed.length > MAX_PATH_LENGTH) fail(`Path is longer than ${MAX_PATH_LENGTH} characters.`)

  const invalid = INVALID_PATH_CHARACTER.exec(trimmed)
  if (invalid) {
    fail(
      `Path must not contain ${quote(invalid[0])}. Expected RFC 3986 path characters or non-ASCII.`,
    )
  }
  for (const segment of trimmed.slice(1).split('/')) {
    if (segment === '') fail('Path contains an empty segment (//). Expected single slashes.')
    if (segment === '.' || segment === '..') fail('Path must not contain . or .. segments.')
  }
  return trimmed
}
