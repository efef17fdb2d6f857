// The peer a Linux admin would otherwise reach for: Debian's rsyslog with its MySQL output,
// tuned fairly (imtcp in, two ommysql workers out), writing the same events into the same
// MariaDB. Our events/s over its rows/s is a headline figure.
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { openStore } from '../server/dist/app.js'
import { adminQuery, createBenchDatabase } from './lib/bench-database.js'
import { rsyslogAvailable, startRsyslog } from './lib/rsyslog-instance.js'
import { buildEvents } from './lib/seed-batch.js'
import { fmtMs, fmtNum, fmtRatio, ratio } from './lib/stats.js'
import { isMain, runAlone } from './lib/standalone.js'
import { measureReceiver } from './sustained-ingest.bench.js'

export const id = 'rsyslog-peer'
export const title = 'Peer: rsyslog + ommysql into the same MariaDB'

const TABLE = 'rsyslog_events'
const WORKERS = 2
const TARGET_OVER_PEER = 1.8
const SEVERITY = { trace: 7, debug: 7, info: 6, warn: 4, error: 3, fatal: 2 }

/**
 * The peer's table is a copy of our migrated `logs` table (columns and indexes, whatever the
 * migrations currently make of it), so both receivers write the same shape of row.
 */
async function createPeerTable (databaseUrl) {
  const store = openStore(databaseUrl)
  try {
    await store.migrate()
  } finally {
    await store.close()
  }
  await adminQuery(databaseUrl, `CREATE TABLE ${TABLE} LIKE logs`)
}

/** RFC 5424 lines, one event each; the message is the event's JSON (it has no raw newline). */
function syslogLines () {
  return buildEvents().map((e) => {
    const pri = 8 + SEVERITY[e.level] // facility user
    return Buffer.from(`<${pri}>1 ${e.ts} bench tekno-bench - - - ${JSON.stringify(e)}\n`)
  })
}

async function send (port, lines, total, onProgress) {
  const socket = connect(port, '127.0.0.1')
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  for (let i = 0; i < total; i++) {
    if (!socket.write(lines[i % lines.length])) await new Promise((resolve) => socket.once('drain', resolve))
    if (i % 10_000 === 0) onProgress(i)
  }
  await new Promise((resolve) => socket.end(resolve))
}

async function measureRsyslog (ctx) {
  const total = ctx.options.rsyslogEvents
  const db = await createBenchDatabase('mysql', ctx.options.mysqlUrl)
  let rsyslog = null
  try {
    await createPeerTable(db.databaseUrl)
    const u = new URL(db.databaseUrl)
    rsyslog = await startRsyslog({
      table: TABLE,
      workers: WORKERS,
      mysql: { host: u.hostname, port: u.port || '3306', database: db.name, user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) }
    })
    const lines = syslogLines()
    const t0 = performance.now()
    const sent = send(rsyslog.port, lines, total, (i) => ctx.progress.update(`rsyslog: sent ${fmtNum(i)} of ${fmtNum(total)} events`))
    const deadline = t0 + Math.max(60, total / 2_000) * 1000
    let rows = 0
    let firstRowAt = null
    let lastRowAt = t0
    while (performance.now() < deadline) {
      await sleep(100)
      const [r] = await adminQuery(db.databaseUrl, `SELECT COUNT(*) AS n FROM ${TABLE}`)
      const n = Number(r.n)
      if (n > 0 && firstRowAt === null) firstRowAt = performance.now()
      if (n > rows) lastRowAt = performance.now()
      rows = n
      ctx.progress.update(`rsyslog: ${fmtNum(rows)} of ${fmtNum(total)} rows in MariaDB, ${fmtNum(rows / ((performance.now() - t0) / 1000))} rows/s`)
      if (rows >= total) break
    }
    await sent
    const seconds = (lastRowAt - t0) / 1000
    return {
      events: total,
      rows,
      seconds,
      rowsPerSecond: rows / seconds,
      complete: rows >= total,
      firstRowMs: firstRowAt === null ? null : firstRowAt - t0,
      workers: WORKERS
    }
  } finally {
    await rsyslog?.stop()
    await db.destroy()
  }
}

export async function run (ctx) {
  if (ctx.options.remote !== null) throw new Error('rsyslog-peer needs the local MariaDB; it does not run in remote mode')
  if (!ctx.options.backends.includes('mysql')) {
    return { id, title, tables: [], notes: ['Skipped: the peer writes into MariaDB; set TEKNO_TEST_MYSQL_URL or --mysql-url.'], checks: [], data: { skipped: 'no MariaDB' } }
  }
  if (!rsyslogAvailable()) {
    return { id, title, tables: [], notes: ['Skipped: rsyslogd or its ommysql module is not installed (Debian: apt-get install rsyslog rsyslog-mysql).'], checks: [{ label: `our events/s ≥ ${TARGET_OVER_PEER}× tuned rsyslog`, value: 'rsyslog not installed', pass: null }], data: { skipped: 'rsyslog not installed' } }
  }
  ctx.progress.log(`rsyslog peer: ${fmtNum(ctx.options.rsyslogEvents)} events over TCP, ${WORKERS} ommysql workers`)
  const peer = await measureRsyslog(ctx)

  // Ours from the sustained scenario of this run when it ran; otherwise measured here.
  let ours = ctx.results['sustained-ingest']?.data?.receiver?.mysql
  let oursFrom = 'sustained-ingest, this run'
  if (ours === undefined) {
    ours = await measureReceiver(ctx, 'mysql')
    oursFrom = 'measured by this scenario'
  }
  const best = ours.reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a))
  const over = ratio(best.eventsPerSecond, peer.rowsPerSecond)
  // The store alone, no HTTP, in the same run: what our insert path takes without the HTTP in front.
  const ceiling = ctx.results['sustained-ingest']?.data?.ceiling?.mysql
  const ceilingRow = ceiling === undefined
    ? []
    : [['Tekno Logger store alone', `logs.insertBatch, ${ceiling.inserters} inserters, no HTTP (storage-only ceiling, sustained-ingest)`,
        fmtNum(ceiling.eventsPerSecond), fmtRatio(ratio(ceiling.eventsPerSecond, peer.rowsPerSecond))]]
  return {
    id,
    title,
    tables: [{
      title: 'Events stored per second in the same MariaDB',
      columns: ['receiver', 'how', 'events/s', 'ours ÷ rsyslog'],
      rows: [
        [`rsyslog ${/\d+\.\d+\.\d+/.exec(ctx.machine?.versions?.rsyslog ?? '')?.[0] ?? ''}`.trim(), `imtcp → ommysql, ${WORKERS} workers, ${fmtNum(peer.rows)} of ${fmtNum(peer.events)} rows in ${peer.seconds.toFixed(1)} s`, fmtNum(peer.rowsPerSecond), '1.00×'],
        ['Tekno Logger', `HTTP, signed seed batches, ${best.connections} connections (${oursFrom})`, fmtNum(best.eventsPerSecond), fmtRatio(over)],
        ...ceilingRow
      ]
    }],
    notes: [
      ...(ceiling === undefined ? [] : ['The store-alone row is the storage-only ceiling the receiver is measured against (sustained-ingest): our insert path with no HTTP in front, on the same MariaDB in this run.']),
      `rsyslog gets a copy of our migrated logs table (CREATE TABLE … LIKE logs); each row holds the event's JSON as its message. It computes no fingerprint and checks no signature.`,
      peer.complete ? `rsyslog's rate counts from the first byte sent to the last row committed (first row after ${fmtMs(peer.firstRowMs)}).` : `rsyslog stored only ${fmtNum(peer.rows)} of ${fmtNum(peer.events)} events before the time limit.`
    ],
    checks: [{ label: `our events/s ≥ ${TARGET_OVER_PEER}× tuned rsyslog (MariaDB)`, value: `${fmtRatio(over)} (${fmtNum(best.eventsPerSecond)} vs ${fmtNum(peer.rowsPerSecond)})`, pass: over !== null && over >= TARGET_OVER_PEER }],
    data: { peer, ours: { eventsPerSecond: best.eventsPerSecond, connections: best.connections, from: oursFrom }, ceilingEventsPerSecond: ceiling?.eventsPerSecond ?? null }
  }
}

if (isMain(import.meta.url)) runAlone(id)
