/**
 * WebSocket close codes the service sends to visitors. Codes in 4000-4999 are private to this
 * service; the browser client reads them to decide whether to stop or back off.
 */
export const CloseCode = {
  /** The service is shutting down or draining: reconnect after a random delay. */
  goingAway: 1001,
  /** An inbound frame exceeded the inbound frame limit: stop. */
  messageTooBig: 1009,
  /** The socket did not drain its send buffer in time: reconnect later. */
  tryAgainLater: 1013,
  /** The host in the socket path is not a valid host: stop. */
  invalidHost: 4400,
  /** The host is not registered, inactive or expired: stop, retry after a long pause. */
  hostNotAllowed: 4403,
  /** The host's concurrent connection limit is reached: back off for minutes. */
  hostLimitReached: 4429,
  /** The service is paused or at its global connection limit: back off. */
  serviceUnavailable: 4503,
} as const

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

/** Default close reasons; a reason must fit in 123 bytes of UTF-8. */
export const closeReason: Record<CloseCode, string> = {
  [CloseCode.goingAway]: 'server shutting down',
  [CloseCode.messageTooBig]: 'inbound frame too large',
  [CloseCode.tryAgainLater]: 'send buffer full',
  [CloseCode.invalidHost]: 'invalid host',
  [CloseCode.hostNotAllowed]: 'host not registered, inactive or expired',
  [CloseCode.hostLimitReached]: 'host connection limit reached',
  [CloseCode.serviceUnavailable]: 'service unavailable',
}
