// Files imported with `with { type: 'text' }` arrive as their source text.
declare module '*/socketizer.js' {
  const source: string
  export default source
}
