import type { FastifyInstance } from 'fastify'
import { newProjectKey, newProjectSecret } from '../admin/credentials.js'
import { parseNewProject, parseProjectId, parseProjectPatch, parseRotation } from '../admin/project-input.js'
import { TeknoError } from '../errors.js'
import type { AppContext } from '../app.js'

const DEFAULT_GRACE_HOURS = 24
const HOUR_MS = 3_600_000

/** Project lifecycle. Secrets appear in exactly two answers: creation and rotation. */
export async function adminRoutes (app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.addHook('preHandler', ctx.requireAdmin)
  const { projects } = ctx.store

  app.post('/admin/projects', async (request, reply) => {
    const input = parseNewProject(request.body)
    const secret = newProjectSecret()
    const project = await projects.create({
      ...input,
      retention_hours: input.retention_hours ?? ctx.config.retentionHours,
      key: newProjectKey(),
      secret
    }, ctx.now())
    reply.code(201)
    return { ...project, secret }
  })

  app.get('/admin/projects', async () => ({ projects: await projects.list() }))

  app.get<{ Params: { id: string } }>('/admin/projects/:id', async (request) => {
    return found(await projects.get(parseProjectId(request.params.id)))
  })

  app.patch<{ Params: { id: string } }>('/admin/projects/:id', async (request) => {
    const id = parseProjectId(request.params.id)
    return found(await projects.update(id, parseProjectPatch(request.body), ctx.now()))
  })

  app.delete<{ Params: { id: string } }>('/admin/projects/:id', async (request) => {
    const id = parseProjectId(request.params.id)
    if (!await projects.remove(id)) throw new TeknoError('TEKNO_ERR_NOT_FOUND', 'No project with this id')
    return { id, deleted: true }
  })

  app.post<{ Params: { id: string } }>('/admin/projects/:id/rotate-secret', async (request) => {
    const id = parseProjectId(request.params.id)
    const { grace_hours: graceHours = DEFAULT_GRACE_HOURS } = parseRotation(request.body)
    const secret = newProjectSecret()
    const now = ctx.now()
    const validUntil = now + graceHours * HOUR_MS
    if (!await projects.rotateSecret(id, secret, validUntil, now)) {
      throw new TeknoError('TEKNO_ERR_NOT_FOUND', 'No project with this id')
    }
    const project = found(await projects.get(id))
    return { ...project, secret, previous_secret_valid_until: new Date(validUntil).toISOString() }
  })
}

function found<T> (value: T | null): T {
  if (value === null) throw new TeknoError('TEKNO_ERR_NOT_FOUND', 'No project with this id')
  return value
}
