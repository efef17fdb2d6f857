#!/usr/bin/env node
// Signs and sends one batch to a Tekno Logger receiver, then prints the answer. Node 20+, no
// dependencies: copy it anywhere. It creates nothing; make a project first (see README).
//
//   TEKNO_URL=http://127.0.0.1:3000 TEKNO_KEY=tkp_… TEKNO_SECRET=tks_… node examples/send-batch.mjs
//
// Add TEKNO_GZIP=1 to compress the body; the signature then covers the compressed bytes.
import { createHmac, randomUUID } from 'node:crypto'
import { gzipSync } from 'node:zlib'

const url = process.env.TEKNO_URL ?? 'http://127.0.0.1:3000'
const key = process.env.TEKNO_KEY
const secret = process.env.TEKNO_SECRET
if (!key || !secret) {
  console.error('set TEKNO_KEY and TEKNO_SECRET (from POST /admin/projects), and TEKNO_URL if not http://127.0.0.1:3000')
  process.exit(2)
}

const batch = {
  // A retry with the same batch_id is acknowledged again and stored once.
  batch_id: randomUUID(),
  events: [
    { ts: new Date().toISOString(), level: 'info', message: 'checkout started', source: 'example', context: { cart: 3 } },
    {
      ts: Date.now(), level: 'error', message: 'db timeout', source: 'example',
      stack: new Error('db timeout').stack, context: { userId: 7, emoji: '🎉' }
    }
  ]
}

const json = Buffer.from(JSON.stringify(batch))
const gzip = process.env.TEKNO_GZIP === '1'
const body = gzip ? gzipSync(json) : json
// Whole seconds; the receiver refuses anything more than 300 s from its clock.
const timestamp = String(Math.floor(Date.now() / 1000))
// v1= + hex HMAC-SHA256(secret, TIMESTAMP + "." + RAW_BODY), RAW_BODY being the bytes sent.
const signature = 'v1=' + createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')

const res = await fetch(new URL('/api/log', url), {
  method: 'POST',
  headers: {
    'content-type': 'application/json',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    'x-tekno-key': key,
    'x-tekno-timestamp': timestamp,
    'x-tekno-signature': signature
  },
  body
})
const retryAfter = res.headers.get('retry-after')
console.log(`${res.status} ${await res.text()}${retryAfter === null ? '' : ` (Retry-After: ${retryAfter})`}`)
process.exitCode = res.status === 202 ? 0 : 1
