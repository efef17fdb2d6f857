// Every log goes to the Tekno receiver through a pino worker thread, and to stdout as usual.
// Run a receiver (`npm start` at the repository root), create a project, then:
//   TEKNO_KEY=… TEKNO_SECRET=… node examples/pino-app/index.mjs
import pino from 'pino'

const { TEKNO_URL = 'http://127.0.0.1:3000', TEKNO_KEY, TEKNO_SECRET } = process.env
if (!TEKNO_KEY || !TEKNO_SECRET) {
  console.error('Set TEKNO_KEY and TEKNO_SECRET to a project of the receiver at TEKNO_URL (default http://127.0.0.1:3000).')
  process.exit(1)
}

const transport = pino.transport({
  targets: [
    { target: 'tekno-logger/pino', level: 'info', options: { url: TEKNO_URL, key: TEKNO_KEY, secret: TEKNO_SECRET } },
    { target: 'pino/file', level: 'debug', options: { destination: 1 } }
  ]
})
const logger = pino({ name: 'checkout', level: 'debug' }, transport)

const requests = Number(process.env.REQUESTS ?? 200)
for (let i = 0; i < requests; i++) {
  const log = logger.child({ requestId: `req-${i}` })
  log.debug({ path: '/cart' }, 'request received')
  if (i % 50 === 49) log.error(new Error('payment gateway timeout'), 'checkout failed')
  else log.info({ ms: 20 + (i % 7) }, 'checkout done')
}
// No explicit flush: pino ends the transport on exit and the worker sends what is left.
