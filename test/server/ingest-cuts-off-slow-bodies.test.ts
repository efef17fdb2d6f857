import { connect } from 'node:net'
import t from 'tap'
import { startReceiver } from '../helpers/receiver.js'
import { signedHeaders } from '../helpers/sign.js'

// A client that sends its headers and then trickles (or stops sending) the body must not hold a
// connection, and the request's memory, forever: REQUEST_TIMEOUT_MS cuts it off with a 408.
// Node checks request deadlines on a 30 s sweep, so this takes up to about 31 s.

t.setTimeout(120_000)

t.test('a body that stops arriving is answered 408 and the connection closed', async (t) => {
  const r = await startReceiver({ env: { REQUEST_TIMEOUT_MS: '1000' } })
  t.teardown(() => r.close())
  const body = JSON.stringify({ events: [{ message: 'never finished' }] })
  const headers = signedHeaders(r.key, r.secret, body)
  const { port } = new URL(r.url)

  const started = Date.now()
  const answer = await new Promise<string>((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(`POST /api/log HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n` +
        `content-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`)
    })
    let data = ''
    socket.on('data', (chunk) => { data += chunk })
    socket.on('close', () => { clearTimeout(giveUp); resolve(data) })
    socket.on('error', () => undefined)
    const giveUp = setTimeout(() => { socket.destroy(); resolve(`${data}[still open after 60 s]`) }, 60_000)
  })
  t.match(answer, /^HTTP\/1\.1 408 /, `answered 408 after ${Date.now() - started} ms: ${JSON.stringify(answer.slice(0, 200))}`)
  t.match(answer, /\r\n\r\n\{"code":"TEKNO_ERR_TIMEOUT","message":"[^"]+"\}$/, 'in the receiver\'s own JSON error shape')
  t.same(await r.fetchEvents(), [], 'nothing stored')
})
