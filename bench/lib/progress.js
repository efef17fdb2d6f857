// One status line that rewrites itself on a terminal; on a pipe (CI logs) a line every few
// seconds instead, so the log stays short but never silent.

const PIPE_EVERY_MS = 5_000

export function createProgress (stream = process.stderr) {
  const t0 = Date.now()
  const tty = stream.isTTY === true
  let lastPipeLine = 0
  let shown = false
  const stamp = () => {
    const s = Math.floor((Date.now() - t0) / 1000)
    return `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}]`
  }
  const clear = () => {
    if (tty && shown) stream.write('\r\x1b[K')
    shown = false
  }
  return {
    update (text) {
      if (tty) {
        const line = `${stamp()} ${text}`
        stream.write(`\r\x1b[K${line.slice(0, (stream.columns ?? 120) - 1)}`)
        shown = true
      } else if (Date.now() - lastPipeLine >= PIPE_EVERY_MS) {
        lastPipeLine = Date.now()
        stream.write(`${stamp()} ${text}\n`)
      }
    },
    log (text) {
      clear()
      stream.write(`${stamp()} ${text}\n`)
    },
    done: clear
  }
}

/** For a scenario run inside a test or a script: says nothing. */
export const silentProgress = { update () {}, log () {}, done () {} }
