import { append, clear, h } from './dom.js'
import { levelBadge, projectName } from './parts.js'
import { searchLink } from './url-state.js'

/** Everything stored for one event: stack and context pretty-printed, always as text. */
export function renderEventDetails (container, e, projects) {
  append(clear(container), [
    h('p', { class: 'full-message' }, e.message),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Time'), h('dd', {}, h('time', { datetime: e.ts }, new Date(e.ts).toString()), h('span', { class: 'muted small' }, ` ${e.ts}`)),
      h('dt', {}, 'Level'), h('dd', {}, levelBadge(e.level)),
      h('dt', {}, 'Project'), h('dd', {}, projectName(projects, e.project_id)),
      h('dt', {}, 'Source'), h('dd', {}, e.source ?? '—'),
      h('dt', {}, 'Fingerprint'), h('dd', {},
        h('code', {}, e.fingerprint), ' ',
        h('a', { class: 'same-fingerprint', href: searchLink({ project_id: String(e.project_id), fingerprint: e.fingerprint }) }, 'All events with this fingerprint')),
      h('dt', {}, 'Event id'), h('dd', {}, String(e.id))),
    e.stack === null ? null : h('section', {}, h('h3', {}, 'Stack'), h('pre', { class: 'stack' }, e.stack)),
    e.context === null ? null : h('section', {}, h('h3', {}, 'Context'), h('pre', { class: 'context' }, JSON.stringify(e.context, null, 2)))
  ])
}
