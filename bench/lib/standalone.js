import { fileURLToPath } from 'node:url'

/** True when this module is the script node was started with. */
export function isMain (metaUrl) {
  return process.argv[1] !== undefined && fileURLToPath(metaUrl) === process.argv[1]
}

/** `node bench/x.bench.js [options]` runs the harness with only that scenario. */
export async function runAlone (id) {
  const { main } = await import('../run.js')
  process.exitCode = await main([...process.argv.slice(2), '--only', id])
}
