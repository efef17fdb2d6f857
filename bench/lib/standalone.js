import { fileURLToPath } from 'node:url'

/** True when this module is the script node was started with. */
export function isMain (metaUrl) {
  return process.argv[1] !== undefined && fileURLToPath(metaUrl) === process.argv[1]
}

/**
 * `node bench/x.bench.js [options]` runs the harness with only that scenario. Call it without
 * `await`: run.js imports every scenario, this one included, so awaiting it at the top level of
 * the scenario would wait for the scenario's own evaluation to end (Node exits with code 13).
 */
export function runAlone (id) {
  import('../run.js')
    .then(({ main }) => main([...process.argv.slice(2), '--only', id]))
    .then((code) => { process.exitCode = code }, (err) => {
      console.error(err)
      process.exitCode = 1
    })
}
