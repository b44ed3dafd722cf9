import { Elysia } from 'elysia'
import { bundleClient } from '../client/bundle' with { type: 'macro' }
import type { Service } from '../service'

export const clientPath = '/service/static/wordpress/socketizer'

/**
 * The plugin loads the script from a URL that never changes, so browsers keep a copy for an hour
 * and then revalidate it with its ETag.
 */
const CACHE_CONTROL = 'public, max-age=3600'

/** One variant of the client with its precompressed body and strong ETags. */
export interface ClientAsset {
  source: string
  gzip: Uint8Array<ArrayBuffer>
  etag: string
  gzipEtag: string
}

function clientAsset(source: string): ClientAsset {
  const hash = new Bun.CryptoHasher('sha256').update(source).digest('base64url').slice(0, 32)
  return {
    source,
    gzip: Bun.gzipSync(source, { level: 9 }),
    etag: `"${hash}"`,
    gzipEtag: `"${hash}-gz"`,
  }
}

/** The client bundled at build time (or at import under `bun src/main.ts`), plain and minified. */
export const clientAssets = {
  plain: clientAsset(bundleClient(false)),
  minified: clientAsset(bundleClient(true)),
}

/** Serves the browser client from the binary itself. */
export const clientRoutes = (_service: Service) =>
  new Elysia({ name: 'client' })
    .get(`${clientPath}.js`, ({ request }) => serveAsset(clientAssets.plain, request), {
      detail: { summary: 'Browser client', tags: ['visitors'] },
    })
    .get(`${clientPath}.min.js`, ({ request }) => serveAsset(clientAssets.minified, request), {
      detail: { summary: 'Browser client, minified', tags: ['visitors'] },
    })

/** Serves an asset: 304 when the browser's copy is current, else the gzip body if accepted. */
export function serveAsset(asset: ClientAsset, request: Request): Response {
  const gzip = acceptsGzip(request.headers.get('accept-encoding'))
  const headers: Record<string, string> = {
    'content-type': 'text/javascript; charset=utf-8',
    'cache-control': CACHE_CONTROL,
    etag: gzip ? asset.gzipEtag : asset.etag,
    vary: 'Accept-Encoding',
  }
  if (matchesEtag(request.headers.get('if-none-match'), asset)) {
    return new Response(null, { status: 304, headers })
  }
  if (!gzip) return new Response(asset.source, { headers })
  return new Response(asset.gzip, { headers: { ...headers, 'content-encoding': 'gzip' } })
}

/** Tells whether an Accept-Encoding header lists gzip (or `*`) with a quality above zero. */
export function acceptsGzip(header: string | null): boolean {
  if (!header) return false
  return header.split(',').some((entry) => {
    const [coding, ...params] = entry.split(';').map((part) => part.trim().toLowerCase())
    if (coding !== 'gzip' && coding !== '*') return false
    const quality = params.find((param) => param.startsWith('q='))
    return quality === undefined || Number(quality.slice(2)) > 0
  })
}

/** Compares If-None-Match weakly (RFC 9110 section 13.1.2), accepting the tag of either encoding. */
function matchesEtag(header: string | null, asset: ClientAsset): boolean {
  if (!header) return false
  return header.split(',').some((tag) => {
    const opaque = tag.trim().replace(/^W\//, '')
    return opaque === '*' || opaque === asset.etag || opaque === asset.gzipEtag
  })
}
