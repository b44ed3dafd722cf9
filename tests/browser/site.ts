import {
  aboutPage,
  framesPage,
  indexPage,
  layout,
  postPage,
  productPage,
  type Embed,
  type SiteState,
} from './pages'

/** One request the site served; `dest` is the Sec-Fetch-Dest header ('empty' for fetch()). */
export interface SiteRequest {
  path: string
  dest: string | null
  at: number
}

/**
 * A WordPress-like site on a free loopback port whose pages embed the client as the plugin does.
 * It records every request, so tests can see which pages the client fetched, and when.
 */
export class TestSite implements AsyncDisposable {
  readonly requests: SiteRequest[] = []
  readonly state: SiteState = {
    posts: [{ id: 5, slug: 'hello-live-world', title: 'Hello live world', body: 'First post.' }],
    comments: new Map(),
    stock: 5,
  }
  /** Script origin per page path, for pages that reach the service through a proxy. */
  readonly scriptOrigins = new Map<string, string>()
  /** Paths whose pages print the script tag twice. */
  readonly doubleScript = new Set<string>()
  /** While true, every page is a bare maintenance notice without any content region. */
  maintenance = false
  private readonly server: ReturnType<typeof Bun.serve>
  private waiters: (() => void)[] = []

  constructor(public serviceUrl: string) {
    this.server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (request) => this.handle(request),
    })
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}`
  }

  /** The host the plugin reports for this site: its home URL without the scheme. */
  get host(): string {
    return `127.0.0.1:${this.server.port}`
  }

  /** Requests the client made with fetch() for a path (navigations and iframes excluded). */
  fetches(path: string): SiteRequest[] {
    return this.requests.filter((r) => r.path === path && r.dest === 'empty')
  }

  /** Resolves once `count` client fetches of `path` arrived; rejects after `timeoutMs`. */
  async waitForFetches(path: string, count: number, timeoutMs = 15_000): Promise<SiteRequest[]> {
    const deadline = Date.now() + timeoutMs
    while (this.fetches(path).length < count) {
      const left = deadline - Date.now()
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${count} fetches of ${path}, got ${this.fetches(path).length}`,
        )
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    return this.fetches(path)
  }

  addComment(postId: number, author: string, text: string) {
    const comments = this.state.comments.get(postId) ?? []
    const id = 100 + [...this.state.comments.values()].flat().length
    comments.push({ id, author, text })
    this.state.comments.set(postId, comments)
  }

  private handle(request: Request): Response {
    const path = new URL(request.url).pathname
    this.requests.push({ path, dest: request.headers.get('sec-fetch-dest'), at: Date.now() })
    for (const wake of this.waiters.splice(0)) wake()
    const page = this.page(path, new URL(request.url).searchParams)
    if (page === null) return new Response('not found', { status: 404 })
    return new Response(page, { headers: { 'content-type': 'text/html; charset=UTF-8' } })
  }

  private page(path: string, query: URLSearchParams): string | null {
    if (this.maintenance)
      return '<!doctype html><title>Maintenance</title><p>Briefly unavailable.</p>'
    if (path === '/frames/') return framesPage('/hello-live-world/', Number(query.get('count')))
    const post = this.state.posts.find((p) => path === `/${p.slug}/`)
    let page
    if (post) page = postPage(this.state, post)
    else if (path === '/') page = indexPage(this.state)
    else if (path === '/product/widget/') page = productPage(this.state)
    else if (path === '/about/') page = aboutPage()
    else return null
    return layout(page.title, page.bodyClass, page.content, this.embed(path))
  }

  private embed(path: string): Embed {
    const origin = this.scriptOrigins.get(path) ?? this.serviceUrl
    return {
      config: { host: this.host, postsPage: `${this.url}/` },
      scriptSrc: `${origin}/service/static/wordpress/socketizer.min.js?ver=1.0.0`,
      twice: this.doubleScript.has(path),
    }
  }

  async [Symbol.asyncDispose]() {
    await this.server.stop(true)
  }
}

/** Builds the refresh body the plugin would send for a page of this site. */
export function refreshBody(
  site: TestSite,
  apiKey: string,
  what: string,
  path: string,
  id: number,
) {
  return {
    host: site.host,
    apiKey,
    postUrl: `${site.url}${path}`,
    postId: String(id),
    pageForPosts: site.url,
    what,
    commentUrl: what === 'comment' ? `${site.url}${path}#comment-1` : '',
    commentId: what === 'comment' ? '1' : '',
  }
}
