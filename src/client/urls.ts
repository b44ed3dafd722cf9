/** The object the WordPress plugin prints before the script: `window.socketizer`. */
export interface PageConfig {
  /** The site's home URL without its scheme, e.g. `example.com/blog`. */
  host: string
  /** The posts index URL; the plugin prints the current post's URL when the site has none. */
  postsPage?: string
  /** Text of the "new content" notice, for sites in other languages. */
  noticeText?: string
  /** Label of the notice's refresh button. */
  refreshText?: string
}

/** The Data of a refreshPost frame, every field a string as the service sends it. */
export interface RefreshData {
  cmd?: string
  what?: string
  postUrl?: string
  postId?: string
  pageForPosts?: string
  seq?: string
  spread?: string
  /**
   * Other refreshes the service merged into this frame, as a JSON array of objects with the
   * fields above, or "*" when so many were merged that every page may have changed.
   */
  also?: string
}

/** Query parameters that never select other content: campaign tags and comment reply state. */
const IGNORED_PARAM = /^(utm_\w+|fbclid|gclid|replytocom|paged|cpage)$/
/** Pagination after a content URL: pages of the posts index and comment pages of a post. */
const PAGINATION = /\/(page\/\d+|comment-page-\d+)$/
/** The path of this script on the service, with or without `.min`. */
const SCRIPT_PATH = /\/service\/static\/wordpress\/[^/]*$/

/**
 * Reduces a URL to host, path and query so that two spellings of one page compare equal. Drops
 * the scheme, fragment, trailing slashes, pagination and the parameters in IGNORED_PARAM, and
 * decodes `&#038;`, which WordPress's esc_url writes for `&`. Returns null for an empty or
 * invalid URL.
 */
export function normaliseUrl(url: string | undefined, base: string): string | null {
  if (!url) return null
  let parsed: URL
  try {
    parsed = new URL(url.replace(/&(#0*38|amp);/g, '&'), base)
  } catch {
    return null
  }
  let path = parsed.pathname
  try {
    path = decodeURI(path)
  } catch {
    // A malformed escape stays encoded; both sides of a comparison go through the same step.
  }
  path = path.replace(/\/+$/, '').replace(PAGINATION, '')
  const params: string[] = []
  parsed.searchParams.forEach((value, key) => {
    if (!IGNORED_PARAM.test(key)) params.push(`${key}=${value}`)
  })
  const query = params.length > 0 ? `?${params.sort().join('&')}` : ''
  return parsed.host.toLowerCase() + path + query
}

/**
 * Tells whether a refresh frame changes the page at `pageUrl`. The page of the frame's post (by
 * URL, or by the `postid-N`/`page-id-N` body class WordPress prints) is always concerned, and
 * for a new post so is the posts index: the frame's pageForPosts, else the plugin's postsPage,
 * else the home page.
 */
export function concernsPage(
  data: RefreshData,
  config: PageConfig,
  pageUrl: string,
  bodyClasses: { contains(token: string): boolean },
): boolean {
  const current = normaliseUrl(pageUrl, pageUrl)
  const targets = [data.postUrl]
  if (data.what === 'post') {
    targets.push(data.pageForPosts || config.postsPage || `//${stripScheme(config.host)}`)
  }
  if (targets.some((target) => normaliseUrl(target, pageUrl) === current)) return true
  const id = data.postId
  if (!id || !/^\d+$/.test(id)) return false
  return bodyClasses.contains(`postid-${id}`) || bodyClasses.contains(`page-id-${id}`)
}

/**
 * Builds the visitor socket URL from this script's own URL, keeping any path prefix in front of
 * `/service/`, so a service behind a proxy path or on its own domain needs no configuration.
 */
export function liveUrl(scriptSrc: string, host: string, pageUrl: string): string {
  const src = new URL(scriptSrc, pageUrl)
  const prefix = src.pathname.replace(SCRIPT_PATH, '')
  const scheme = src.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${src.host}${prefix}/service/wordpress/live/${encodeURI(decoded(stripScheme(host)))}`
}

/** Decodes an already percent-encoded host path, so that encodeURI does not encode it twice. */
function decoded(host: string): string {
  try {
    return decodeURI(host)
  } catch {
    return host
  }
}

const stripScheme = (host: string) => host.replace(/^https?:\/\//i, '')
