// cluster: placeholder for the multi-node scenario (several Socketizer processes sharing a Redis,
// each refresh reaching the sockets of every node). Not implemented yet.
//
// What it will need from the rest of the bench, all present already:
// - startServer() per node, each on its own port; RunContext.server would become a list, and
//   RunningServer.sample() per node gives per-node RSS, CPU and descriptors.
// - GeneratorPool.open() takes the WebSocket URL per call, so a pool can open sockets on several
//   nodes. Past ~28k sockets towards one node address, ws clients need --source-addrs > 1.
// - refreshAndWait() already waits on deliveries by postId across every generator, whichever
//   node the sockets sit on.
import type { Scenario } from './types'

export const cluster: Scenario = {
  name: 'cluster',
  unavailable: 'the cluster scenario is not implemented yet',
  maxSockets: () => 0,
  hostsUsed: () => 0,
  variants: () => [{ label: 'not implemented', params: {} }],
  async run() {
    // TODO: start N nodes against one Redis and run fanout across them; see the notes above.
    throw new Error('the cluster scenario is not implemented yet')
  },
  row: () => '',
}
