// ESM face of the CommonJS build, so both module systems share one copy of the state.
import cjs from '../dist/pino.js'

export const { createStream } = cjs
export default cjs.default
