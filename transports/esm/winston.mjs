// ESM face of the CommonJS build, so `instanceof` and the transport state are the same in both.
import cjs from '../dist/winston.js'

export const { TeknoTransport } = cjs
