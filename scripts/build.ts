// Compiles the service, with its browser client, into one executable: dist/socketizer.
import { $ } from 'bun'

const outfile = process.env.SOCKETIZER_OUTFILE ?? 'dist/socketizer'
await $`${process.execPath} build --compile --minify-syntax --minify-whitespace src/main.ts --outfile ${outfile}`
console.log(`built ${outfile}`)
