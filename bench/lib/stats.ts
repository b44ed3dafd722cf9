// Small statistics helpers; percentiles use the nearest-rank method.

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  )
}

export interface Spread {
  median: number
  min: number
  max: number
}

export function spread(values: number[]): Spread {
  const finite = values.filter(Number.isFinite)
  if (finite.length === 0) return { median: NaN, min: NaN, max: NaN }
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite) }
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

export function sum(values: Iterable<number>): number {
  let total = 0
  for (const value of values) total += value
  return total
}
