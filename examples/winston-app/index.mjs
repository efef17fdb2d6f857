// Overflow mode: logs go to Grafana Loki through winston-loki while Loki takes them, and to the
// Tekno receiver while it does not (down, 429, over quota), then back to Loki once it recovers.
// Without a Loki at LOKI_URL every push is refused, so after a few failures the logs divert.
//   TEKNO_KEY=… TEKNO_SECRET=… LOKI_URL=http://127.0.0.1:3100 node examples/winston-app/index.mjs
import winston from 'winston'
import LokiTransport from 'winston-loki'
import { TeknoTransport } from 'tekno-logger/winston'

const { TEKNO_URL = 'http://127.0.0.1:3000', TEKNO_KEY, TEKNO_SECRET, LOKI_URL = 'http://127.0.0.1:3100' } = process.env
if (!TEKNO_KEY || !TEKNO_SECRET) {
  console.error('Set TEKNO_KEY and TEKNO_SECRET to a project of the receiver at TEKNO_URL (default http://127.0.0.1:3000).')
  process.exit(1)
}

const tekno = new TeknoTransport({
  url: TEKNO_URL,
  key: TEKNO_KEY,
  secret: TEKNO_SECRET,
  // winston-loki unchanged; batching off so each log is one push and a refusal is seen at once
  primary: new LokiTransport({ host: LOKI_URL, json: true, batching: false, onConnectionError: () => {} })
})
const logger = winston.createLogger({
  level: 'info',
  format: winston.format.combine(winston.format.label({ label: 'orders' }), winston.format.errors({ stack: true }), winston.format.timestamp(), winston.format.json()),
  transports: [tekno, new winston.transports.Console({ format: winston.format.simple() })]
})

const orders = Number(process.env.ORDERS ?? 100)
for (let i = 0; i < orders; i++) {
  if (i % 25 === 24) logger.error(new Error(`order ${i} could not be charged`))
  else logger.info(`order ${i} placed`, { orderId: i })
  await new Promise((resolve) => setTimeout(resolve, 10))
}
logger.end()
// 'finish' comes once everything is in Loki, in the receiver, or in the local spool.
tekno.on('finish', () => {
  const { sent, spooled, switches } = tekno.stats()
  console.log(`done: ${sent} sent to the receiver, ${spooled} spooled, ${switches} switches`)
})
