import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { canonicalHost, MAX_HOST_LENGTH, MAX_INPUT_LENGTH } from '../src/host'

// Each row: input, then the canonical host or a pattern the rejection reason must match.
const cases: [string, string | RegExp][] = [
  ['example.com', 'example.com'],
  ['www.example.com', 'www.example.com'],
  ['Example.COM', 'example.com'],
  ['localhost', 'localhost'],
  ['intranet', 'intranet'],
  ['my_site.local', 'my_site.local'],
  ['example.com.', 'example.com'],
  ['example.com.:8080', 'example.com:8080'],
  ['example.com:8080', 'example.com:8080'],
  ['example.com:80', 'example.com'],
  ['example.com:443', 'example.com'],
  ['example.com:08080', 'example.com:8080'],
  ['example.com:65535', 'example.com:65535'],
  ['example.com/blog', 'example.com/blog'],
  ['example.com/Blog/', 'example.com/Blog'],
  ['example.com/blog///', 'example.com/blog'],
  ['example.com/', 'example.com'],
  ['example.com:8080/a/b', 'example.com:8080/a/b'],
  ['http://example.com', 'example.com'],
  ['HTTPS://Example.com:443/Blog/', 'example.com/Blog'],
  ['bücher.example', 'xn--bcher-kva.example'],
  ['BÜCHER.example', 'xn--bcher-kva.example'],
  ['b%C3%BCcher.example', 'xn--bcher-kva.example'],
  ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
  ['ｅｘａｍｐｌｅ.com', 'example.com'],
  ['example.com/%D0%B1%D0%BB%D0%BE%D0%B3', 'example.com/блог'],
  ['example.com/блог', 'example.com/блог'],
  ['example.com/a%2Db', 'example.com/a-b'],
  ['127.0.0.1:8000', '127.0.0.1:8000'],
  ['127.0.0.1', '127.0.0.1'],
  ['0x7F.1', '127.0.0.1'],
  ['[::1]:8080', '[::1]:8080'],
  ['[::1]', '[::1]'],
  ['[0:0::1]:443', '[::1]'],
  ['[2001:DB8::1]/wp', '[2001:db8::1]/wp'],
  ['', /empty/],
  [' example.com', /whitespace/],
  ['example .com', /whitespace/],
  ['example.com/a b', /whitespace/],
  ['example.com/a%20b', /whitespace/],
  ['example.com\t', /whitespace/],
  ['example.com\u0000', /control/],
  ['example.com/%00', /control/],
  ['exa\u200Bmple.com', /invisible/],
  ['example.com\\blog', /backslash/],
  ['example.com/%5Cblog', /backslash/],
  ['example.com?x=1', /query/],
  ['example.com/blog%3Fx', /query/],
  ['example.com#top', /fragment/],
  ['user@example.com', /user info/],
  ['user%40example.com', /percent-encoded ASCII/],
  ['example%2Ecom', /percent-encoded ASCII/],
  ['example.com%2Fblog', /percent-encoded ASCII/],
  ['example.com/a%2Fb', /encoded slash/],
  ['example.com/%zz', /invalid percent-encoding/],
  ['example.com/%C3', /invalid percent-encoding/],
  ['example.com/100%25', /Path must not contain "%"/],
  ['ftp://example.com', /unsupported scheme/],
  ['ws://example.com', /unsupported scheme/],
  ['http://', /missing a hostname/],
  [':8080', /missing a hostname/],
  ['//example.com', /missing a hostname/],
  ['example.com:', /Port "" is invalid/],
  ['example.com:0', /Port "0" is invalid/],
  ['example.com:65536', /Port "65536" is invalid/],
  ['example.com:8a', /Port "8a" is invalid/],
  ['::1', /IPv6 addresses must be in brackets/],
  ['[::1', /Expected a hostname or \[IPv6 address\]/],
  ['[1::2::3]', /is invalid/],
  ['1.2.3.999', /is invalid/],
  ['-example.com', /hyphen/],
  ['example-.com', /hyphen/],
  ['exa*mple.com', /Hostname must not contain "\*"/],
  ['example..com', /empty label/],
  ['example.com..', /empty label/],
  ['.', /is invalid/],
  [`${'a'.repeat(64)}.com`, /longer than 63/],
  [`${'abcdefghi.'.repeat(26)}com`, /longer than 253/],
  [`example.com/${'a'.repeat(257)}`, /Path is longer than 256/],
  ['x'.repeat(MAX_INPUT_LENGTH + 1), /longer than 8192/],
  ['example.com//blog', /empty segment/],
  ['example.com/a/../b', /\.\. segments/],
  ['example.com/./b', /\.\. segments/],
  ['example.com/%2E%2E/b', /\.\. segments/],
  ['example.com/<script>', /Path must not contain "<"/],
]

describe('canonicalHost', () => {
  test.each(cases)('%p -> %p', (input, expected) => {
    const result = canonicalHost(input)
    if (typeof expected === 'string') {
      expect(result).toEqual({ ok: true, host: expected })
      return
    }
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toMatch(expected)
  })

  test('longest valid host fits MAX_HOST_LENGTH', () => {
    const longest = `${'abcdefghi.'.repeat(24)}abcdefghi.com:65535/${'a'.repeat(255)}`
    const result = canonicalHost(longest)
    expect(result.ok).toBe(true)
    if (result.ok) expect(result.host.length).toBe(MAX_HOST_LENGTH)
  })
})

const label = fc.stringMatching(/^[a-zA-Z0-9](?:[a-zA-Z0-9_-]{0,10}[a-zA-Z0-9])?$/)
const unicodeLabel = fc.constantFrom('bücher', 'блог', 'ÄB', 'ｅｘａｍｐｌｅ', 'münchen', '例え')
const hostLike = fc
  .record({
    scheme: fc.constantFrom('', 'http://', 'HTTPS://'),
    labels: fc.array(fc.oneof(label, unicodeLabel), { minLength: 1, maxLength: 4 }),
    trailingDot: fc.boolean(),
    port: fc.option(fc.integer({ min: 0, max: 70000 }), { nil: undefined }),
    segments: fc.array(fc.oneof(fc.webSegment(), unicodeLabel), { maxLength: 3 }),
    trailingSlash: fc.boolean(),
  })
  .map(({ scheme, labels, trailingDot, port, segments, trailingSlash }) => {
    const hostname = labels.join('.') + (trailingDot ? '.' : '')
    const portPart = port === undefined ? '' : `:${port}`
    const path = segments.map((segment) => `/${segment}`).join('') + (trailingSlash ? '/' : '')
    return scheme + hostname + portPart + path
  })
const anyInput = fc.oneof(hostLike, fc.string(), fc.string({ unit: 'binary' }), fc.webUrl())

describe('canonicalHost properties', () => {
  test('idempotent on accepted inputs and never throws', () => {
    let accepted = 0
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = canonicalHost(input)
        if (!result.ok) return
        accepted++
        expect(canonicalHost(result.host)).toEqual(result)
      }),
      { numRuns: 2000 },
    )
    // Guards against a generator that only produces rejected inputs, which would prove nothing.
    expect(accepted).toBeGreaterThan(200)
  })
})
