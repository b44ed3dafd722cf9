import { api } from './api'
import { cluster } from './cluster'
import { connect } from './connect'
import { fanout } from './fanout'
import { hold } from './hold'
import { soak } from './soak'
import type { Scenario } from './types'

export const SCENARIOS: Record<string, Scenario> = { connect, fanout, api, soak, hold, cluster }
