/**
 * `work`'s value, or `fallback` once `ms` have passed. The timer is not unref'd, so a process with
 * nothing else to do waits for the work instead of exiting before it settles; it is cleared as
 * soon as `work` settles.
 */
export async function within<T> (work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([work, new Promise<T>((resolve) => { timer = setTimeout(() => { resolve(fallback) }, Math.max(0, ms)) })])
  } finally {
    clearTimeout(timer)
  }
}
