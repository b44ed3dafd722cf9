import { Elysia } from 'elysia'
import clientSource from '../client/socketizer.js' with { type: 'text' }
import type { Service } from '../service'

const clientPath = '/service/static/wordpress/socketizer'

/** Serves the browser client from the binary itself. */
export const clientRoutes = (_service: Service) =>
  new Elysia({ name: 'client' })
    .get(`${clientPath}.js`, () => javascript(clientSource))
    .get(`${clientPath}.min.js`, () => javascript(clientSource))

const javascript = (source: string) =>
  new Response(source, {
    headers: {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300',
    },
  })
