/** Level names the receiver takes, lowest first; the index is the rank used to shed load. */
export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const
export type LevelName = (typeof LEVELS)[number]

export function levelRank (level: LevelName): number {
  return LEVELS.indexOf(level)
}

export function isLevelName (value: unknown): value is LevelName {
  return typeof value === 'string' && (LEVELS as readonly string[]).includes(value)
}

/** pino numbers; custom levels fall to the standard level at or below them so nothing is raised. */
export function levelFromPino (value: unknown): LevelName {
  if (typeof value === 'string') return isLevelName(value) ? value : 'info'
  if (typeof value !== 'number' || Number.isNaN(value)) return 'info'
  if (value >= 60) return 'fatal'
  if (value >= 50) return 'error'
  if (value >= 40) return 'warn'
  if (value >= 30) return 'info'
  if (value >= 20) return 'debug'
  return 'trace'
}

const WINSTON: Record<string, LevelName> = {
  // npm levels
  error: 'error',
  warn: 'warn',
  info: 'info',
  http: 'debug',
  verbose: 'debug',
  debug: 'debug',
  silly: 'trace',
  // syslog levels, so a logger configured with winston.config.syslog.levels maps sensibly
  emerg: 'fatal',
  alert: 'fatal',
  crit: 'fatal',
  warning: 'warn',
  notice: 'info'
}

export function levelFromWinston (value: unknown): LevelName {
  return (typeof value === 'string' && WINSTON[value]) || 'info'
}
