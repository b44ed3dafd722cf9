import type { RefreshBody } from './schemas'

/** The refresh fields a visitor's page reads, all strings as the original service sent them. */
export type RefreshFields = Omit<RefreshBody, 'apiKey'>

/** Unix time in nanoseconds as a decimal string, at millisecond precision. */
const timestamp = () => `${Date.now()}000000`

/**
 * Encodes the connect frame. `seq` is the host's latest refresh sequence number ("0" when none),
 * and `lastRefresh` is that refresh's Data as a JSON string, empty when none. A page that missed the refresh while
 * disconnected applies it once, and a page that saw it ignores both.
 */
export function connectFrame(id: string, seq: number, lastRefreshLiteral: string): string {
  // Built as text because it is encoded once per socket. `id` is base-36 text and needs no
  // escaping, and `lastRefreshLiteral` is already a JSON string literal.
  return `{"Timestamp":"${timestamp()}","Data":{"id":"${id}","message":"socketizer connected","seq":"${seq}","lastRefresh":${lastRefreshLiteral}}}`
}

/** Builds the Data of a refreshPost frame. `spread` is the reload spread hint in milliseconds. */
export function refreshData(
  fields: RefreshFields,
  seq: number,
  spreadMs: number,
): Record<string, string> & { spread: string } {
  return {
    cmd: 'refreshPost',
    host: fields.host,
    postUrl: fields.postUrl,
    postId: fields.postId,
    pageForPosts: fields.pageForPosts,
    what: fields.what,
    commentUrl: fields.commentUrl,
    commentId: fields.commentId,
    seq: String(seq),
    spread: String(spreadMs),
  }
}

export function refreshFrame(data: ReturnType<typeof refreshData>): string {
  return JSON.stringify({ Timestamp: timestamp(), Data: data })
}

/** Builds the Data of an operator's notice to visitors. */
export function noticeFrame(message: string): string {
  return JSON.stringify({ Timestamp: timestamp(), Data: { cmd: 'notice', message } })
}
