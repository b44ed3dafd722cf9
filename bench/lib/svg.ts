// A small line chart written as SVG by hand, so the bench needs no plotting dependency.

export interface Series {
  name: string
  color: string
  dashed?: boolean
  /** Points sorted by x; lo and hi draw a min-max whisker. */
  points: { x: number; y: number; lo?: number; hi?: number }[]
}

export interface Chart {
  title: string
  xLabel: string
  yLabel: string
  series: Series[]
}

const WIDTH = 720
const HEIGHT = 440
const MARGIN = { left: 70, right: 190, top: 40, bottom: 50 }

/** Rounds a span up to 1, 2 or 5 times a power of ten, for readable tick steps. */
function niceStep(span: number, ticks: number): number {
  const raw = span / ticks
  const power = 10 ** Math.floor(Math.log10(raw))
  const factor = [1, 2, 5, 10].find((f) => f * power >= raw) ?? 10
  return factor * power
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

interface Scale {
  sx: (x: number) => number
  sy: (y: number) => number
  xTop: number
  yTop: number
  xStep: number
  yStep: number
}

/** Fits both axes to the data, rounded up to whole tick steps. */
function scaleFor(series: Series[]): Scale {
  const points = series.flatMap((s) => s.points)
  const xMax = Math.max(1, ...points.map((p) => p.x))
  const yMax = Math.max(1e-9, ...points.map((p) => p.hi ?? p.y))
  const xStep = niceStep(xMax, 5)
  const yStep = niceStep(yMax, 5)
  // One spare step on the right keeps the last points and their whiskers off the frame.
  const xTop = (Math.floor(xMax / xStep) + 1) * xStep
  const yTop = Math.ceil(yMax / yStep) * yStep
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  return {
    sx: (x) => MARGIN.left + (x / xTop) * plotW,
    sy: (y) => MARGIN.top + plotH - (y / yTop) * plotH,
    xTop,
    yTop,
    xStep,
    yStep,
  }
}

function drawAxes(chart: Chart, { sx, sy, xTop, yTop, xStep, yStep }: Scale): string[] {
  const parts: string[] = []
  for (let x = 0; x <= xTop + 1e-9; x += xStep) {
    parts.push(`<line x1="${sx(x)}" y1="${sy(0)}" x2="${sx(x)}" y2="${sy(yTop)}" stroke="#eee"/>`)
    const label = +x.toPrecision(6)
    parts.push(`<text x="${sx(x)}" y="${sy(0) + 16}" text-anchor="middle">${label}</text>`)
  }
  for (let y = 0; y <= yTop + 1e-9; y += yStep) {
    parts.push(`<line x1="${sx(0)}" y1="${sy(y)}" x2="${sx(xTop)}" y2="${sy(y)}" stroke="#eee"/>`)
    const label = +y.toPrecision(6)
    parts.push(`<text x="${sx(0) - 6}" y="${sy(y) + 4}" text-anchor="end">${label}</text>`)
  }
  const box = `x="${sx(0)}" y="${sy(yTop)}" width="${sx(xTop) - sx(0)}" height="${sy(0) - sy(yTop)}"`
  parts.push(`<rect ${box} fill="none" stroke="#888"/>`)

  const xMid = sx(xTop / 2)
  const yMid = sy(yTop / 2)
  parts.push(
    `<text x="${xMid}" y="${HEIGHT - 12}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
  )
  const rotate = `transform="rotate(-90 16 ${yMid})"`
  parts.push(
    `<text x="16" y="${yMid}" text-anchor="middle" ${rotate}>${escape(chart.yLabel)}</text>`,
  )
  return parts
}

/** Renders the chart as a standalone SVG document. */
export function lineChart(chart: Chart): string {
  const scale = scaleFor(chart.series)
  const title = escape(chart.title)
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${title}</text>`,
    ...drawAxes(chart, scale),
  ]
  chart.series.forEach((series, i) => parts.push(...drawSeries(series, i, scale.sx, scale.sy)))
  parts.push('</svg>', '')
  return parts.join('\n')
}

function drawSeries(
  series: Series,
  index: number,
  sx: (x: number) => number,
  sy: (y: number) => number,
) {
  const out: string[] = []
  const dash = series.dashed ? ' stroke-dasharray="6 4"' : ''
  const path = series.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')
  out.push(
    `<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2"${dash}/>`,
  )
  for (const p of series.points) {
    out.push(`<circle cx="${sx(p.x)}" cy="${sy(p.y)}" r="3" fill="${series.color}"/>`)
    if (p.lo !== undefined && p.hi !== undefined) {
      // Each series' whiskers sit a few pixels apart so overlapping ranges stay readable.
      const x = sx(p.x) + (index % 6) * 3 - 7.5
      const whisker = `x1="${x}" y1="${sy(p.lo)}" x2="${x}" y2="${sy(p.hi)}"`
      out.push(`<line ${whisker} stroke="${series.color}" stroke-width="1.5"/>`)
    }
  }
  const legendX = WIDTH - MARGIN.right + 14
  const legendY = MARGIN.top + 10 + index * 20
  out.push(
    `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 24}" y2="${legendY}" stroke="${series.color}" stroke-width="2"${dash}/>`,
  )
  out.push(`<text x="${legendX + 30}" y="${legendY + 4}">${escape(series.name)}</text>`)
  return out
}
