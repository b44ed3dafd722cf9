import { Elysia } from 'elysia'
import type { Service } from '../service'

/** Health, readiness and Prometheus metrics, for load balancers and scrapers. */
export const opsRoutes = (service: Service) =>
  new Elysia({ name: 'ops' })
    .get('/healthz', () => ({ status: 'ok' }), {
      detail: { summary: 'The process is alive', tags: ['ops'] },
    })
    .get(
      '/readyz',
      async ({ set }) => {
        const checks = { store: await storeReachable(service), draining: service.hub.draining }
        const ready = checks.store && !checks.draining
        set.status = ready ? 200 : 503
        return { status: ready ? 'ready' : 'not ready', ...checks }
      },
      { detail: { summary: 'The store answers and the server is not draining', tags: ['ops'] } },
    )
    .get(
      '/metrics',
      async ({ set }) => {
        set.headers['content-type'] = service.metrics.registry.contentType
        return service.metrics.registry.metrics()
      },
      { detail: { summary: 'Prometheus metrics', tags: ['ops'] } },
    )

async function storeReachable(service: Service): Promise<boolean> {
  try {
    await service.store.registryVersion()
    return true
  } catch (err) {
    service.metrics.storeFailed('readiness check')
    service.log.error({ err }, 'store unreachable')
    return false
  }
}
