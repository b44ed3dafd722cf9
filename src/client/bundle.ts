/**
 * Bundles the browser client into one classic script. Runs as a Bun macro, so that
 * `bun build --compile` embeds the result as a string and `bun src/main.ts` builds it at import.
 * Bun.build cannot run inside a macro during bundling (it would deadlock), so this runs the
 * `bun build` command line of the Bun that runs the macro.
 */
export function bundleClient(minify: boolean): string {
  const entry = `${import.meta.dir}/socketizer.ts`
  const command = [process.execPath, 'build', entry, '--target=browser', '--format=iife']
  if (minify) command.push('--minify')
  const result = Bun.spawnSync(command, { stderr: 'pipe' })
  if (!result.success) {
    throw new Error(`bundling ${entry} failed: ${result.stderr.toString().trim()}`)
  }
  return result.stdout.toString()
}
