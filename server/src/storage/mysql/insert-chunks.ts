import type { StoredEvent } from '../../ingest/validate.js'

/**
 * The row counts a group's event INSERTs are cut to, largest first; a count under the smallest is
 * used as it is. Every distinct count is a statement MariaDB keeps prepared per connection, and it
 * holds about 4 KB of memory a row (a 1000-row statement 4.2 MB, measured with
 * `SHOW SESSION STATUS LIKE 'Memory_used'`): a few fixed large counts keep that bounded whatever
 * the groups add up to, and the small ones are the batch sizes a statement per batch used before.
 */
export const INSERT_LADDER = [1000, 500, 250] as const

/** Room left in max_allowed_packet for the packet's header and anything rowBytes does not count. */
export const PACKET_HEADROOM_BYTES = 64 * 1024
/** The max_allowed_packet assumed of a server that does not answer for it: the smallest default of any MySQL or MariaDB. */
export const FALLBACK_PACKET_BYTES = 1024 * 1024

/** Bytes one INSERT may carry: at most `cap`, and room to spare under the server's `maxAllowedPacket`. */
export function insertBudget (maxAllowedPacket: unknown, cap: number): number {
  const packet = Number(maxAllowedPacket)
  return Math.min(cap, (Number.isFinite(packet) && packet > 0 ? packet : FALLBACK_PACKET_BYTES) - PACKET_HEADROOM_BYTES)
}

/** Bytes a row adds to an execute packet besides its strings: four numbers, nine types, five lengths, null bits. */
export const ROW_OVERHEAD_BYTES = 128

/** Bytes of the row in an execute packet, at most. */
export function rowBytes (e: StoredEvent): number {
  return ROW_OVERHEAD_BYTES + Buffer.byteLength(e.message) + e.fingerprint.length +
    (e.source === null ? 0 : Buffer.byteLength(e.source)) +
    (e.stack === null ? 0 : Buffer.byteLength(e.stack)) +
    (e.context === null ? 0 : Buffer.byteLength(e.context))
}

/**
 * How many rows each INSERT takes, in order, for rows of `bytes` sizes: as many as fit in
 * `maxBytes`, cut down to a count of INSERT_LADDER when that many fit. A row larger than
 * `maxBytes` still goes, alone: the server then decides.
 */
export function insertSizes (bytes: readonly number[], maxBytes: number): number[] {
  const sizes: number[] = []
  let at = 0
  while (at < bytes.length) {
    let fit = 0
    let used = 0
    const most = Math.min(bytes.length - at, INSERT_LADDER[0])
    while (fit < most) {
      used += bytes[at + fit] as number
      if (fit > 0 && used > maxBytes) break
      fit++
    }
    const size = INSERT_LADDER.find((n) => n <= fit) ?? fit
    sizes.push(size)
    at += size
  }
  return sizes
}
