import t from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { appEnv } from './fixtures/helpers/child.js'

const transportsDir = fileURLToPath(new URL('../../transports/', import.meta.url))
const manifest = JSON.parse(readFileSync(join(transportsDir, 'package.json'), 'utf8'))

/** Node's own lookup, by hand: exports maps may hide package.json from require.resolve. */
function packageJson (name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json')
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) throw new Error(`${name} not found from ${from}`)
  }
}

t.test('installing tekno-logger pulls in no server and no native dependency', async (t) => {
  t.same(Object.keys(manifest.dependencies).sort(), ['pino-abstract-transport', 'sonic-boom', 'winston-transport'])
  t.same(manifest.peerDependenciesMeta, { pino: { optional: true }, winston: { optional: true } })
  const seen = new Map<string, string>()
  const visit = (name: string, from: string): void => {
    if (seen.has(name)) return
    const file = packageJson(name, from)
    const pkg = JSON.parse(readFileSync(file, 'utf8'))
    seen.set(name, dirname(file))
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dirname(file))
  }
  for (const dep of Object.keys(manifest.dependencies)) visit(dep, transportsDir)
  for (const forbidden of ['fastify', 'mysql2', 'better-sqlite3', 'zod']) t.notOk(seen.has(forbidden), `no ${forbidden}`)
  const native = [...seen].filter(([, dir]) => existsSync(join(dir, 'binding.gyp')) || JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).gypfile === true)
  t.same(native, [], 'nothing native')
})

t.test('both subpaths load with require and with import', async (t) => {
  const cjs = execFileSync(process.execPath, ['-e', `
    const p = require('tekno-logger/pino'); const w = require('tekno-logger/winston')
    console.log(typeof p.default, typeof p.createStream, typeof w.TeknoTransport)`], { encoding: 'utf8', env: appEnv() })
  t.equal(cjs.trim(), 'function function function')
  const esm = execFileSync(process.execPath, ['--input-type=module', '-e', `
    import build, { createStream } from 'tekno-logger/pino'
    import { TeknoTransport } from 'tekno-logger/winston'
    import { createRequire } from 'node:module'
    const same = createRequire(import.meta.url)('tekno-logger/winston').TeknoTransport === TeknoTransport
    console.log(typeof build, typeof createStream, typeof TeknoTransport, same)`], { encoding: 'utf8', env: appEnv() })
  t.equal(esm.trim(), 'function function function true', 'one class for both module systems')
})

t.test('the shipped types work from an ESM and from a CommonJS TypeScript file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tekno-types-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  symlinkSync(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(dir, 'node_modules'))
  writeFileSync(join(dir, 'package.json'), '{}')
  writeFileSync(join(dir, 'app.mts'), [
    "import teknoPino, { createStream, type TeknoPinoOptions } from 'tekno-logger/pino'",
    "import { TeknoTransport } from 'tekno-logger/winston'",
    "const options: TeknoPinoOptions = { url: 'http://127.0.0.1:3000', key: 'k', secret: 's', primary: { target: 'pino-loki' } }",
    'const stream = createStream(options); void stream.flush(); stream.trip()',
    'const worker: Promise<unknown> = teknoPino(options); void worker',
    "const transport = new TeknoTransport({ url: 'x', key: 'k', secret: 's', level: 'info' }); void transport.flush(); transport.stats().sent.toFixed()"
  ].join('\n'))
  writeFileSync(join(dir, 'app.cts'), [
    "import pinoTransport = require('tekno-logger/pino')",
    "import { TeknoTransport } from 'tekno-logger/winston'",
    "void pinoTransport.createStream({ url: 'x', key: 'k', secret: 's' }).flush()",
    "void new TeknoTransport({ url: 'x', key: 'k', secret: 's' }).flush()"
  ].join('\n'))
  const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url))
  const out = (() => {
    try {
      return execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', 'app.mts', 'app.cts'], { cwd: dir, encoding: 'utf8', env: appEnv() })
    } catch (err) {
      return String((err as { stdout?: string }).stdout ?? err)
    }
  })()
  t.equal(out, '', 'no type errors')
})
