import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { parseProjectId } from '../admin/project-input.js'
import { alertSettingsView, mergeAlertSettings, parseAlertSettings, settingsOrDefaults } from '../alerts/alert-settings.js'
import { TeknoError } from '../errors.js'
import type { AlertHistoryEntry } from '../storage/store.js'
import type { AppContext } from '../app.js'
import { parseInput } from '../parse-input.js'

const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().min(1).optional()
})

/** Alert settings, the test alert and the history of one project (docs/alerts.md). */
export async function alertRoutes (app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.addHook('preHandler', ctx.requireAdmin)
  const { alerts, projects } = ctx.store

  const existing = async (raw: string): Promise<number> => {
    const id = parseProjectId(raw)
    if (await projects.get(id) === null) throw new TeknoError('TEKNO_ERR_NOT_FOUND', 'No project with this id')
    return id
  }

  app.get<{ Params: { id: string } }>('/admin/projects/:id/alerts', async (request) => {
    const id = await existing(request.params.id)
    return alertSettingsView(settingsOrDefaults(id, await alerts.getSettings(id)))
  })

  app.put<{ Params: { id: string } }>('/admin/projects/:id/alerts', async (request) => {
    const id = await existing(request.params.id)
    const patch = parseAlertSettings(request.body)
    const current = settingsOrDefaults(id, await alerts.getSettings(id))
    const saved = await alerts.putSettings(id, mergeAlertSettings(current, patch), ctx.now())
    app.alerts.forgetSettings(id)
    return alertSettingsView(saved)
  })

  app.post<{ Params: { id: string } }>('/admin/projects/:id/alerts/test', async (request) => {
    const id = await existing(request.params.id)
    const { result, settings } = await app.alerts.sendTest(id)
    return {
      sent: result.ok,
      discord: { status: result.status, attempts: result.attempts, response: parseMaybeJson(result.response) },
      settings: alertSettingsView(settingsOrDefaults(id, settings))
    }
  })

  app.get<{ Params: { id: string } }>('/admin/projects/:id/alerts/history', async (request) => {
    const id = await existing(request.params.id)
    const { limit, before } = parseInput(historyQuery, request.query, 'query')
    const rows = await alerts.listHistory(id, { limit: limit + 1, ...(before === undefined ? {} : { beforeId: before }) })
    const page = rows.slice(0, limit)
    return {
      history: page.map(historyView),
      next_cursor: rows.length > limit ? String(page.at(-1)?.id) : null
    }
  })
}

function historyView (h: AlertHistoryEntry): Record<string, unknown> {
  return {
    id: h.id,
    kind: h.kind,
    fingerprint: h.fingerprint,
    title: h.title,
    outcome: h.outcome,
    http_status: h.http_status,
    attempts: h.attempts,
    response: h.response,
    created_at: new Date(h.created_at).toISOString()
  }
}

/** Discord answers JSON (the created message, or its error); shown as such when it is. */
function parseMaybeJson (text: string | null): unknown {
  if (text === null || text === '') return text
  try { return JSON.parse(text) } catch { return text }
}
