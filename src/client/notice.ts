/** Styles of the notice, kept in a shadow root so that they and the theme's CSS stay apart. */
const STYLE = `
.notice{display:flex;align-items:center;gap:10px;padding:8px 8px 8px 14px;border-radius:8px;
background:#1d2327;color:#fff;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
box-shadow:0 4px 16px rgba(0,0,0,.25)}
button{font:inherit;border:0;border-radius:6px;cursor:pointer;padding:4px 10px}
.refresh{background:#fff;color:#1d2327;font-weight:600}
.close{background:transparent;color:#c3c4c7;padding:4px 6px;font-size:18px;line-height:1}
button:focus-visible{outline:2px solid #72aee6;outline-offset:2px}`

let noticeHost: HTMLElement | null = null

/**
 * Shows a small notice at the bottom right of the page, with a button that calls `onRefresh`
 * when one is given. A second call replaces the notice, so there is never more than one.
 */
export function showNotice(text: string, buttonText?: string, onRefresh?: () => void): void {
  hideNotice()
  const host = document.createElement('div')
  host.setAttribute('data-socketizer-notice', '')
  host.style.cssText = 'position:fixed;right:16px;bottom:16px;z-index:2147483647'
  const root = host.attachShadow({ mode: 'open' })
  root.innerHTML = `<style>${STYLE}</style><div class="notice" role="status"><span></span><button class="refresh" type="button"></button><button class="close" type="button" aria-label="Dismiss">\u00d7</button></div>`
  root.querySelector('span')!.textContent = text
  const refresh = root.querySelector<HTMLButtonElement>('.refresh')!
  if (buttonText && onRefresh) {
    refresh.textContent = buttonText
    refresh.onclick = () => {
      hideNotice()
      onRefresh()
    }
  } else refresh.remove()
  root.querySelector<HTMLButtonElement>('.close')!.onclick = hideNotice
  document.body.appendChild(host)
  noticeHost = host
}

export function hideNotice(): void {
  noticeHost?.remove()
  noticeHost = null
}
