import type { Resolved } from './core/options.js'
import type { Shipper } from './core/shipper.js'
import type { TeknoEvent } from './core/event.js'
import type { PinoPrimaryTarget } from './pino.js'

export interface PinoPrimary {
  write (line: string): void
  trip (reason?: string, forMs?: number): void
  close (): Promise<void>
}

export function openPinoPrimary (_target: PinoPrimaryTarget, _options: Resolved, shipper: Shipper, toEvent: (line: string) => TeknoEvent, _source: unknown): PinoPrimary {
  return {
    write: (line) => shipper.push(toEvent(line)),
    trip: () => {},
    close: async () => {}
  }
}
