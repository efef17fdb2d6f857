// Levels are stored as pino's numbers so that "min_level" is a plain comparison in SQL.

export const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const
export type LevelName = keyof typeof LEVELS

/** Every level number, lowest first: for `level IN (…)` lists, which planners seek level by level. */
export const LEVEL_NUMBERS: readonly number[] = Object.values(LEVELS)

const BY_NUMBER = new Map<number, LevelName>(
  Object.entries(LEVELS).map(([name, n]) => [n, name as LevelName])
)

export function levelNumber (value: unknown): number | undefined {
  if (typeof value === 'number') return BY_NUMBER.has(value) ? value : undefined
  if (typeof value === 'string') {
    // Own keys only: "constructor" or "__proto__" must not find Object.prototype's members.
    const name = value.toLowerCase()
    if (Object.hasOwn(LEVELS, name)) return LEVELS[name as LevelName]
    if (/^\d{2}$/.test(value) && BY_NUMBER.has(Number(value))) return Number(value)
  }
  return undefined
}

export function levelName (n: number): LevelName {
  return BY_NUMBER.get(n) ?? 'info'
}
