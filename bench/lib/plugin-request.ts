// Refresh requests written byte for byte as the WordPress plugin sends them through PHP's curl
// transport. Each uses a fresh connection with `Connection: close` and a JSON body labelled as a
// form. Slashes are escaped as `\/`, every value is a string, and the reply is read to the end.
import zlib from 'node:zlib'

export const REFRESH_PATH = '/service/api/v1/wordpress/cmd/client/refresh/post/'

export interface RefreshFields {
  host: string
  apiKey: string
  postId: string
}

export interface HttpReply {
  status: number
  body: string
}

/** Serialises a refresh body as PHP's json_encode does for the plugin's array. */
export function pluginBody(fields: RefreshFields): string {
  const site = `http://${fields.host}`
  const body = {
    host: fields.host,
    apiKey: fields.apiKey,
    postUrl: `${site}/bench-post-${fields.postId}/`,
    postId: fields.postId,
    pageForPosts: site,
    what: 'post',
    commentUrl: '',
    commentId: '',
  }
  return JSON.stringify(body).replaceAll('/', '\\/')
}

export function pluginRequest(server: string, fields: RefreshFields): string {
  const body = pluginBody(fields)
  return [
    `POST ${REFRESH_PATH} HTTP/1.1`,
    `Host: ${server}`,
    `User-Agent: WordPress/6.1.9; http://${fields.host}`,
    'Accept: */*',
    'Accept-Encoding: deflate, gzip, br, zstd',
    `Referer: http://${server}${REFRESH_PATH}`,
    'Connection: close',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Content-Type: application/x-www-form-urlencoded',
    '',
    body,
  ].join('\r\n')
}

/** Sends one plugin request to `server` (IPV4:PORT) and resolves with the decoded reply. */
export function sendRefresh(server: string, fields: RefreshFields, timeoutMs = 5000) {
  const [hostname, port] = server.split(':')
  return new Promise<HttpReply>((resolve, reject) => {
    const chunks: Buffer[] = []
    const timer = setTimeout(
      () => reject(new Error(`refresh timed out after ${timeoutMs} ms`)),
      timeoutMs,
    )
    const finish = () => {
      clearTimeout(timer)
      try {
        resolve(parseReply(Buffer.concat(chunks)))
      } catch (err) {
        reject(err)
      }
    }
    let pending = Buffer.from(pluginRequest(server, fields))
    // The plugin does not half-close after its request, so write and wait for the server to close.
    const flush = (socket: Bun.Socket) => {
      pending = pending.subarray(socket.write(pending))
    }
    Bun.connect({
      hostname: hostname!,
      port: Number(port),
      socket: {
        open: flush,
        drain: flush,
        data: (_socket, data) => void chunks.push(Buffer.from(data)),
        close: finish,
        error: (_socket, err) => reject(err),
        connectError: (_socket, err) => reject(err),
      },
    }).catch(reject)
  })
}

export function parseReply(raw: Buffer): HttpReply {
  const split = raw.indexOf('\r\n\r\n')
  if (split < 0) throw new Error(`incomplete HTTP reply (${raw.length} bytes)`)
  const head = raw.subarray(0, split).toString('latin1').split('\r\n')
  const status = Number(head[0]?.split(' ')[1])
  const headers = new Map<string, string>()
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':')
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  let body = raw.subarray(split + 4)
  if (headers.get('transfer-encoding')?.includes('chunked')) body = dechunk(body)
  return { status, body: decode(body, headers.get('content-encoding')).toString('utf8') }
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  while (at < data.length) {
    const lineEnd = data.indexOf('\r\n', at)
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16)
    if (!size) break
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
  return Buffer.concat(parts)
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (!encoding || encoding === 'identity') return body
  if (encoding === 'gzip') return zlib.gunzipSync(body)
  if (encoding === 'deflate') return zlib.inflateSync(body)
  if (encoding === 'br') return zlib.brotliDecompressSync(body)
  if (encoding === 'zstd') return Buffer.from(Bun.zstdDecompressSync(body))
  throw new Error(`unsupported content-encoding '${encoding}'`)
}
