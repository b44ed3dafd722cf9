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

/** Returns the summary lines of the given files, in file order. */
export function readSummaries(files: string[]): Summary[] {
  return files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.type === 'summary'),
  )
}
