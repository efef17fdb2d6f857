import type { TeknoPinoOptions, TeknoPinoStream } from '../dist/pino.js'

export * from '../dist/pino.js'
export default function teknoPinoTransport (options: TeknoPinoOptions): Promise<TeknoPinoStream>
