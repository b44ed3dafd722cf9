// Reading the summary lines that bench/run.ts writes into its JSON lines files.
import { readFileSync } from 'node:fs'
import type { Spread } from './stats'

export interface Summary {
  type: 'summary'
  scenario: string
  variant: string
  server: string
  params: Record<string, number>
  repeats: number
  delivered: number
  expected: number
  complete: boolean
  metrics: Record<string, Spread>
}

/**
 * Returns the summary lines of the given files. A later summary of the same scenario, variant
 * and server replaces an earlier one in its place, so a rerun can be listed after a full run.
 */
export function readSummaries(files: string[]): Summary[] {
  const latest = new Map<string, Summary>()
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue
      const entry = JSON.parse(line) as Summary
      if (entry.type !== 'summary') continue
      const key = `${entry.scenario}\n${entry.variant}\n${entry.server}`
      latest.set(key, entry)
    }
  }
  return [...latest.values()]
}
