/** Stable error codes of the HTTP API, each with its HTTP status. */
export const errorStatus = {
  invalid_json: 400,
  invalid_body: 400,
  invalid_host: 400,
  invalid_query: 400,
  body_too_large: 413,
  method_not_allowed: 405,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  internal: 500,
} as const

export type ErrorCode = keyof typeof errorStatus

/** An error a client can act on; rendered as `{"error":{"code","message","field"?}}`. */
export class ApiError extends Error {
  readonly status: number
  /** The site host the request named, for the log line; never sent to the client. */
  host?: string

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message)
    this.status = errorStatus[code]
  }

  toJSON() {
    const error: { code: string; message: string; field?: string } = {
      code: this.code,
      message: this.message,
    }
    if (this.field !== undefined) error.field = this.field
    return { error }
  }
}
