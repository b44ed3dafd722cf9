import * as v from 'valibot'

const limit = (max: number) =>
  v.pipe(
    v.number('must be a number'),
    v.integer('must be a whole number'),
    v.minValue(1, 'must be at least 1'),
    v.maxValue(max, `must be at most ${max}`),
  )

/** Tells whether the YYYY-MM-DD at the start of `text` names a real calendar day. */
function realDay(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number]
  const date = new Date(Date.UTC(year, month - 1, day))
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  )
}

/** An ISO 8601 date or date-time, or null for no expiry. */
const expiry = v.nullable(
  v.pipe(
    v.string(),
    v.regex(
      /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/,
      'must be YYYY-MM-DD or an ISO 8601 date-time',
    ),
    v.check((s) => realDay(s) && !Number.isNaN(Date.parse(s)), 'must be a real date'),
    v.transform((s) => new Date(s.length === 10 ? `${s}T23:59:59.999Z` : s).toISOString()),
  ),
)

/** Fields of a site that an operator sets, at creation or later; null means the default. */
const siteFields = {
  maxConnections: v.optional(v.nullable(limit(1_000_000))),
  reloadsPerSecond: v.optional(v.nullable(limit(100_000))),
  expiresAt: v.optional(expiry),
  active: v.optional(v.boolean('must be true or false')),
}

// Admin bodies reject unknown fields, so a misspelt field is an error instead of a silent no-op.
export const SiteCreate = v.strictObject({
  host: v.pipe(
    v.string(),
    v.description('Site host as the plugin sends it, e.g. example.com/blog'),
  ),
  apiKey: v.optional(
    v.pipe(
      v.string(),
      v.minLength(32, 'must be at least 32 characters'),
      v.maxLength(256, 'must be at most 256 characters'),
      v.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
      v.description('Keep an existing key, e.g. when moving a site; generated when absent'),
    ),
  ),
  ...siteFields,
})
export type SiteCreate = v.InferOutput<typeof SiteCreate>

export const SitePatch = v.strictObject(siteFields)
export type SitePatch = v.InferOutput<typeof SitePatch>

export const SettingsPatch = v.strictObject({
  active: v.optional(v.boolean()),
  maxConnections: v.optional(limit(10_000_000)),
  defaultSiteMaxConnections: v.optional(limit(1_000_000)),
  defaultReloadsPerSecond: v.optional(limit(100_000)),
  freeMode: v.optional(v.boolean()),
})
export type SettingsPatch = v.InferOutput<typeof SettingsPatch>

const field = (max: number) =>
  v.optional(
    v.pipe(v.string('must be a string'), v.maxLength(max, `must be at most ${max} characters`)),
    '',
  )
const id = v.optional(
  v.pipe(
    v.union([v.string(), v.number()], 'must be a string'),
    v.transform(String),
    v.maxLength(32, 'must be at most 32 characters'),
  ),
  '',
)

export const refreshWhat = [
  'post',
  'comment',
  'product',
  'bb_reply',
  'bb_topic',
  'bb_forum',
] as const

/** The body the WordPress plugin posts; every value is a string and empty fields are "". */
export const RefreshBody = v.object({
  host: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  apiKey: v.pipe(
    v.string('must be a string'),
    v.minLength(1, 'must not be empty'),
    v.maxLength(256, 'must be at most 256 characters'),
  ),
  postUrl: field(2048),
  postId: id,
  pageForPosts: field(2048),
  what: v.picklist(refreshWhat, `must be one of ${refreshWhat.join(', ')}`),
  commentUrl: field(2048),
  commentId: id,
})
export type RefreshBody = v.InferOutput<typeof RefreshBody>
