import { h } from './dom.js'

export function levelBadge (level) {
  return h('span', { class: `level level-${level}` }, level)
}

export function projectName (projects, id) {
  return projects.find((p) => p.id === id)?.name ?? `project ${id}`
}
