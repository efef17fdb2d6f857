import t from 'tap'
import { ConfigError, loadConfig } from '../../../server/dist/config.js'

// loadConfig is given an env object, never process.env, so each case is independent.

const TOKEN = 'a-perfectly-good-admin-token-of-40-chars!'

function problems (env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

t.test('defaults from CONTRACT.md', async (t) => {
  const c = loadConfig({})
  t.equal(c.port, 3000)
  t.equal(c.host, '127.0.0.1')
  t.equal(c.databaseUrl, 'sqlite:./data/tekno.sqlite')
  t.equal(c.retentionHours, 48)
  t.equal(c.publicUrl, 'http://127.0.0.1:3000')
  t.equal(c.production, false)
  t.type(c.rateLimitProjectEventsPerMinute, 'number')
  t.type(c.rateLimitIpRequestsPerMinute, 'number')
  t.ok(c.requestTimeoutMs > 0, 'a non-zero request timeout')
})

t.test('every variable is read', async (t) => {
  const c = loadConfig({
    PORT: '8080', HOST: '0.0.0.0', DATABASE_URL: 'mysql://u:p@db:3306/tekno', ADMIN_TOKEN: TOKEN,
    PUBLIC_URL: 'https://logs.example.com/', RETENTION_HOURS: '72',
    RATE_LIMIT_PROJECT_EVENTS_PER_MINUTE: '0', RATE_LIMIT_IP_REQUESTS_PER_MINUTE: '10', NODE_ENV: 'production'
  })
  t.equal(c.port, 8080)
  t.equal(c.host, '0.0.0.0')
  t.equal(c.databaseUrl, 'mysql://u:p@db:3306/tekno')
  t.equal(c.adminToken, TOKEN)
  t.equal(c.adminTokenGenerated, false)
  t.equal(c.publicUrl, 'https://logs.example.com', 'trailing slash dropped')
  t.equal(c.retentionHours, 72)
  t.equal(c.rateLimitProjectEventsPerMinute, 0, '0 = unlimited is allowed')
  t.equal(c.rateLimitIpRequestsPerMinute, 10)
  t.equal(c.production, true)
  t.equal(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).publicUrl, 'http://0.0.0.0:8080', 'PUBLIC_URL defaults to http://HOST:PORT')
  t.equal(loadConfig({ DATABASE_URL: 'sqlite:/var/data/t.sqlite' }).databaseUrl, 'sqlite:/var/data/t.sqlite')
})

t.test('one line per bad variable, each naming it', async (t) => {
  const cases: Array<[string, string]> = [
    ['PORT', 'eighty'], ['PORT', '70000'], ['DATABASE_URL', 'postgres://x'], ['DATABASE_URL', 'sqlite:'],
    ['ADMIN_TOKEN', 'short'], ['PUBLIC_URL', 'not a url'], ['PUBLIC_URL', 'ftp://logs.example.com'], ['PUBLIC_URL', 'javascript:alert(1)'], ['RETENTION_HOURS', '23'], ['RETENTION_HOURS', '73'],
    ['RETENTION_HOURS', '48.5'], ['RATE_LIMIT_PROJECT_EVENTS_PER_MINUTE', '-1'], ['RATE_LIMIT_IP_REQUESTS_PER_MINUTE', 'lots']
  ]
  for (const [name, value] of cases) {
    const lines = problems({ [name]: value })
    t.equal(lines.length, 1, `${name}=${value}: one line`)
    t.match(lines[0], new RegExp(`^${name}: `), `${name}=${value}: names the variable`)
  }
  const all = problems({ PORT: 'x', RETENTION_HOURS: '100', ADMIN_TOKEN: 'short', DATABASE_URL: 'oracle:' })
  t.equal(all.length, 4, 'all problems at once, not one per restart')
  for (const name of ['PORT', 'RETENTION_HOURS', 'ADMIN_TOKEN', 'DATABASE_URL']) {
    t.ok(all.some((l) => l.startsWith(`${name}: `)), `${name} listed`)
  }
  t.throws(() => loadConfig({ PORT: 'x' }), ConfigError)
  t.match(problems({ PORT: 'x' }).join('\n'), /PORT/, 'the error message carries the lines')
})

t.test('ADMIN_TOKEN: required in production, at least 32 characters', async (t) => {
  const lines = problems({ NODE_ENV: 'production' })
  t.equal(lines.length, 1)
  t.match(lines[0], /^ADMIN_TOKEN: /)
  t.same(problems({ NODE_ENV: 'production', ADMIN_TOKEN: '' }).length, 1, 'empty counts as unset')
  t.match(problems({ NODE_ENV: 'production', ADMIN_TOKEN: 'x'.repeat(31) })[0], /^ADMIN_TOKEN: /)
  t.equal(loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: 'x'.repeat(32) }).adminToken, 'x'.repeat(32))
  t.match(problems({ ADMIN_TOKEN: 'x'.repeat(31) })[0], /^ADMIN_TOKEN: /, 'also outside production')
})

t.test('ADMIN_TOKEN generated when unset outside production', async (t) => {
  const a = loadConfig({})
  const b = loadConfig({ ADMIN_TOKEN: '' })
  t.equal(a.adminTokenGenerated, true)
  t.equal(b.adminTokenGenerated, true)
  t.ok(a.adminToken.length >= 32, 'the generated token meets the same 32-character rule')
  t.match(a.adminToken, /^[A-Za-z0-9_-]+$/, 'safe to paste into a header')
  t.not(a.adminToken, b.adminToken, 'random per start')
})

t.test('every variable of the schema is in docs/operations.md, and render.yaml sets only real ones', async (t) => {
  const { readFileSync } = await import('node:fs')
  const source = readFileSync(new URL('../../../server/src/config.ts', import.meta.url), 'utf8')
  const schema = /const envSchema = z\.object\(\{([\s\S]*?)\n\}\)/.exec(source)?.[1] ?? ''
  const names = [...schema.matchAll(/^\s{2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!)
  t.ok(names.includes('DATABASE_URL') && names.length >= 8, `found the schema's variables: ${names.join(', ')}`)
  const ops = readFileSync(new URL('../../../docs/operations.md', import.meta.url), 'utf8')
  for (const name of names) {
    t.match(ops, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `${name} has a row in the configuration table`)
  }
  const render = readFileSync(new URL('../../../render.yaml', import.meta.url), 'utf8')
  const keys = [...render.matchAll(/- key: (\S+)/g)].map((m) => m[1]!)
  for (const key of keys.filter((k) => k !== 'NODE_VERSION')) t.ok(names.includes(key), `render.yaml's ${key} is read by config.ts`)
  t.ok(keys.includes('ADMIN_TOKEN') && keys.includes('HOST') && keys.includes('DATABASE_URL'))
})
