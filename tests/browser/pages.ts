// HTML of a small WordPress-like site. The markup copies what the client relies on in WordPress
// themes: body classes, #content, #comments and #respond. The comment form also gets a hidden
// field whose value changes on every render, as the Akismet plugin adds one.

export interface Post {
  id: number
  slug: string
  title: string
  body: string
}

export interface Comment {
  id: number
  author: string
  text: string
}

/** Everything a page shows; tests change it, then send a refresh. */
export interface SiteState {
  posts: Post[]
  comments: Map<number, Comment[]>
  stock: number
}

/** What the plugin prints in every page, and the script URL it loads. */
export interface Embed {
  config: Record<string, string>
  scriptSrc: string
  /** Print the script tag twice, as a page with two copies of the plugin would. */
  twice?: boolean
}

const CSS = `body{margin:0;font:16px/1.6 Georgia,serif;color:#222;background:#fafafa}
#masthead{padding:16px 24px;background:#fff;border-bottom:1px solid #ddd;font:700 20px system-ui,sans-serif}
#masthead a{color:#222;text-decoration:none}
#content{max-width:720px;margin:24px auto;padding:0 24px}
article{background:#fff;padding:16px 24px;margin-bottom:24px;border:1px solid #e5e5e5}
.comment-list{padding-left:20px}.comment-list li{margin-bottom:8px}
textarea,input[type=text],input[type=number]{font:inherit;width:100%;box-sizing:border-box;padding:6px}
input[type=number]{width:80px}
#secondary{font-size:14px;color:#555;border-top:1px solid #ddd;margin-top:24px}
footer{text-align:center;color:#777;font-size:13px;padding:24px}`

const escape = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

export function layout(title: string, bodyClass: string, content: string, embed: Embed | null) {
  const script = embed
    ? `<script>window.socketizer = ${JSON.stringify(embed.config)}</script>` +
      `<script src="${embed.scriptSrc}"></script>`.repeat(embed.twice ? 2 : 1)
    : ''
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${escape(title)} - Live Test Blog</title><style>${CSS}</style></head>
<body class="${bodyClass}"><header id="masthead"><a href="/">Live Test Blog</a></header>
<div id="content" class="site-content">${content}</div>
<footer id="colophon">Proudly powered by WordPress</footer>
${script}</body></html>`
}

function commentItem(comment: Comment) {
  return `<li id="comment-${comment.id}" class="comment"><article class="comment-body">
<b class="fn">${escape(comment.author)}</b> <span class="says">says:</span>
<div class="comment-content"><p>${escape(comment.text)}</p></div></article></li>`
}

function commentArea(post: Post, comments: Comment[]) {
  const title = comments.length
    ? `<h2 class="comments-title">${comments.length} thoughts on “${escape(post.title)}”</h2>`
    : ''
  return `<div id="comments" class="comments-area">${title}
<ol class="comment-list">${comments.map(commentItem).join('')}</ol>
<div id="respond" class="comment-respond"><h3 id="reply-title">Leave a Reply</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-form-comment"><label for="comment">Comment</label>
<textarea id="comment" name="comment" rows="6"></textarea></p>
<p class="comment-form-author"><label for="author">Name</label>
<input id="author" name="author" type="text" value=""></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" value="Post Comment">
<input type="hidden" name="comment_post_ID" value="${post.id}" id="comment_post_ID"></p>
<input type="hidden" id="ak_js_1" name="ak_js" value="${Date.now()}${Math.random()}">
</form></div></div>`
}

function recentComments(state: SiteState) {
  const all = [...state.comments.values()].flat().slice(-3)
  const items = all.map((c) => `<li>${escape(c.author)}: ${escape(c.text.slice(0, 40))}</li>`)
  return `<aside id="secondary"><h2>Recent Comments</h2><ul>${items.join('')}</ul></aside>`
}

export function postPage(state: SiteState, post: Post) {
  const comments = state.comments.get(post.id) ?? []
  const content = `<main id="main" class="site-main">
<article id="post-${post.id}" class="post-${post.id} post type-post status-publish">
<h1 class="entry-title">${escape(post.title)}</h1>
<div class="entry-content"><p>${escape(post.body)}</p></div></article>
${commentArea(post, comments)}</main>${recentComments(state)}`
  return { title: post.title, bodyClass: `post-template-default single postid-${post.id}`, content }
}

export function indexPage(state: SiteState) {
  const items = [...state.posts].reverse().map(
    (post) => `<article id="post-${post.id}" class="post-${post.id} post">
<h2 class="entry-title"><a href="/${post.slug}/">${escape(post.title)}</a></h2>
<div class="entry-summary"><p>${escape(post.body)}</p></div></article>`,
  )
  const content = `<main id="main" class="site-main">${items.join('')}</main>`
  return { title: 'Home', bodyClass: 'home blog', content }
}

export function productPage(state: SiteState) {
  const content = `<main id="main" class="site-main">
<div id="product-9" class="product type-product"><h1 class="product_title">Widget</h1>
<p class="stock in-stock">${state.stock} in stock</p>
<form class="cart" method="post"><label for="quantity">Quantity</label>
<input type="number" id="quantity" class="qty" name="quantity" value="1" min="1" max="${state.stock}">
<button type="submit" name="add-to-cart" value="9">Add to cart</button></form></div></main>`
  return { title: 'Widget', bodyClass: 'product-template-default single-product postid-9', content }
}

export function aboutPage() {
  const content = `<main id="main" class="site-main"><article id="post-2" class="page">
<h1 class="entry-title">About</h1><p>A page no refresh frame concerns.</p></article></main>`
  return { title: 'About', bodyClass: 'page-template-default page page-id-2', content }
}

/** Renders a page without the client that shows `count` copies of a post page in iframes. */
export function framesPage(path: string, count: number) {
  const frame = `<iframe src="${path}" width="160" height="90" loading="eager"></iframe>`
  return layout('Frames', 'frames', frame.repeat(count), null)
}
