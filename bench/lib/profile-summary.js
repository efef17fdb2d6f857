// Summarises a V8 .cpuprofile (from `npm run bench -- --profile`): self time by function and by
// package, the two views that say where a receiver's milliseconds go.
import { readFileSync } from 'node:fs'
import { isMain } from './standalone.js'

function where (url) {
  if (url === '') return '(native/V8)'
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (nm !== null) return nm[1]
  const dist = /server\/dist\/(.+)$/.exec(url)
  if (dist !== null) return `server/${dist[1]}`
  if (url.startsWith('node:')) return url
  return url.replace(/^file:\/\/.*\/bench\//, 'bench/')
}

export function summarizeProfile (profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map()
  let total = 0
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0
    self.set(id, (self.get(id) ?? 0) + dt)
    total += dt
  })
  const byFunction = new Map()
  const byPackage = new Map()
  for (const [id, us] of self) {
    const { callFrame: f } = byId.get(id)
    const name = f.functionName || '(anonymous)'
    const key = `${name} ${where(f.url)}${f.url === '' ? '' : `:${f.lineNumber + 1}`}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + us)
    const pkg = ['(idle)', '(garbage collector)', '(program)'].includes(name) ? name : where(f.url)
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us)
  }
  const rank = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => ({ what: k, ms: us / 1000, percent: us / total * 100 }))
  return { totalMs: total / 1000, byFunction: rank(byFunction), byPackage: rank(byPackage) }
}

if (isMain(import.meta.url)) {
  for (const file of process.argv.slice(2)) {
    const s = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')))
    process.stdout.write(`${file}: ${s.totalMs.toFixed(0)} ms sampled\n\nself time by package\n`)
    for (const r of s.byPackage) process.stdout.write(`  ${r.percent.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.what}\n`)
    process.stdout.write('\nself time by function\n')
    for (const r of s.byFunction) process.stdout.write(`  ${r.percent.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.what}\n`)
  }
}
