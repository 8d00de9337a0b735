// The console's views, each rendered from the last data the page fetched. Pure DOM building: no state here.
import { confirmAction } from './confirm';
import { age, h } from './dom';
import { ClusterJson, MediaNodeJson, SessionJson, activeParticipants, streamList, streams } from './model';

export interface Actions {
  drain(nodeId: string, seconds: number): Promise<void>;
  undrain(nodeId: string): Promise<void>;
  closeSession(sessionId: string): Promise<void>;
  evict(sessionId: string, connectionId: string): Promise<void>;
}

/** A media node the page saw before and the cluster view no longer lists: it left (crashed and was downed). */
export interface GoneNode {
  node: MediaNodeJson;
  goneAt: number;
}

export function mastersTable(cluster: ClusterJson, urls: Map<string, string>, inUse: string): HTMLElement {
  return h(
    'table',
    { id: 'masters' },
    h('thead', {}, h('tr', {}, h('th', {}, 'master'), h('th', {}, 'status'), h('th', {}, 'reachable'), h('th', {}, 'console'))),
    h(
      'tbody',
      {},
      ...cluster.masters
        .slice()
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((m) =>
          h(
            'tr',
            { 'data-master': m.id, class: m.reachable && m.status === 'up' ? '' : 'bad' },
            h('td', {}, m.id, m.id === cluster.self ? h('span', { class: 'tag' }, 'answering') : null),
            h('td', { class: 'status' }, m.status),
            h('td', {}, m.reachable ? 'yes' : 'no'),
            h('td', {}, urls.get(m.id) ? h('a', { href: urls.get(m.id)! + '/console/' }, urls.get(m.id)! + (urls.get(m.id) === inUse ? ' (in use)' : '')) : '-'),
          ),
        ),
    ),
  );
}

export function mediaNodesTable(cluster: ClusterJson, gone: GoneNode[], actions: Actions): HTMLElement {
  const now = Date.now();
  const row = (n: MediaNodeJson, goneAt: number | null) => {
    const down = goneAt !== null || !n.reachable;
    const status = goneAt !== null ? 'down' : n.reachable ? n.status : 'down (unreachable)';
    // The deadline comes with the node (every master knows it from the node's reports), whoever set it.
    const deadline = n.drainDeadline ? Date.parse(n.drainDeadline) : null;
    const drainText =
      n.status === 'draining' && goneAt === null
        ? deadline !== null
          ? deadline > now
            ? 'in ' + age(now, deadline) + ' (' + new Date(deadline).toLocaleTimeString([], { hour12: false }) + ')'
            : 'passed'
          : 'not reported'
        : '-';
    const button =
      goneAt !== null
        ? null
        : n.status === 'draining'
          ? h('button', { 'data-undrain': n.id, onclick: () => undrain(n.id, actions) }, 'Undo drain')
          : h('button', { 'data-drain': n.id, class: 'danger', onclick: () => drain(n.id, actions) }, 'Drain…');
    return h(
      'tr',
      { 'data-node': n.id, class: down ? 'bad' : n.status === 'draining' ? 'warn' : '' },
      h('td', {}, n.id),
      h('td', { class: 'status' }, status),
      h('td', { class: 'sessions' }, goneAt !== null ? '-' : n.load.sessions + ' / ' + n.load.capacity),
      h('td', {}, goneAt !== null ? '-' : n.load.participants),
      h('td', {}, goneAt !== null ? '-' : n.load.streams),
      h('td', {}, goneAt !== null ? '-' : (n.load.cpu * 100).toFixed(1) + ' %'),
      h('td', {}, goneAt !== null ? 'gone ' + age(goneAt, now) + ' ago' : n.lastReportAgeMs < 2000 ? '< 2 s ago' : age(now - n.lastReportAgeMs, now) + ' ago (late)'),
      h('td', { class: 'deadline' }, drainText),
      h('td', {}, button),
    );
  };
  return h(
    'table',
    { id: 'media-nodes' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['media node', 'status', 'sessions / capacity', 'participants', 'streams', 'CPU', 'last report', 'drain deadline', ''].map((t) =>
          h('th', {}, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...cluster.mediaNodes
        .slice()
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((n) => row(n, null)),
      ...gone.map((g) => row(g.node, g.goneAt)),
    ),
  );
}

async function drain(nodeId: string, actions: Actions): Promise<void> {
  const seconds = await confirmAction({
    title: 'Drain ' + nodeId + '?',
    text:
      'No new session will be placed on ' + nodeId + '. At the deadline, the sessions still there are moved to other ' +
      'media nodes (participants follow, media recovers).',
    confirmLabel: 'Drain',
    number: { label: 'deadline in seconds', value: 300, min: 0, max: 86400 },
  });
  if (seconds !== null) {
    await actions.drain(nodeId, seconds);
  }
}

async function undrain(nodeId: string, actions: Actions): Promise<void> {
  const ok = await confirmAction({
    title: 'Undo the drain of ' + nodeId + '?',
    text: nodeId + ' goes back to running: new sessions may be placed there again, nothing is moved.',
    confirmLabel: 'Undo drain',
  });
  if (ok !== null) {
    await actions.undrain(nodeId);
  }
}

export function haPlan(cluster: ClusterJson): HTMLElement {
  const plan = cluster.haPlan;
  return h(
    'div',
    { id: 'ha-plan', class: plan.overcommitted ? 'plan overcommitted' : 'plan' },
    h('div', { class: 'big' }, String(plan.maxFailuresToTolerate)),
    h(
      'div',
      {},
      h('strong', {}, 'media node failures tolerated now'),
      h('div', {}, 'configured: ' + plan.failuresToTolerate + ' · media nodes: ' + plan.mediaNodes),
      h('div', {}, 'protected sessions: ' + plan.protectedSessions + ' · free capacity: ' + plan.freeCapacity),
      h(
        'div',
        { class: 'verdict' },
        plan.overcommitted
          ? 'OVERCOMMITTED: losing ' + plan.failuresToTolerate + ' media node(s) would leave protected sessions without room'
          : 'within plan',
      ),
    ),
  );
}

export function sessionsTable(sessions: SessionJson[], filter: string): HTMLElement {
  const now = Date.now();
  const wanted = filter.trim().toLowerCase();
  const shown = sessions
    .filter((s) => !wanted || s.sessionId.toLowerCase().includes(wanted) || s.mediaNodeId.toLowerCase().includes(wanted))
    .sort((a, b) => b.createdAt - a.createdAt);
  return h(
    'table',
    { id: 'sessions-table' },
    h(
      'thead',
      {},
      h('tr', {}, ...['session', 'media node', 'priority', 'participants', 'streams', 'age'].map((t) => h('th', {}, t))),
    ),
    h(
      'tbody',
      {},
      ...shown.map((s) =>
        h(
          'tr',
          { 'data-session': s.sessionId },
          h('td', {}, h('a', { href: '#/sessions/' + encodeURIComponent(s.sessionId) }, s.sessionId)),
          h('td', { class: 'media-node' }, s.mediaNodeId),
          h('td', {}, s.priority),
          h('td', {}, activeParticipants(s) + (s.connections.numberOfElements > activeParticipants(s) ? ' (+' + (s.connections.numberOfElements - activeParticipants(s)) + ' pending)' : '')),
          streamsCell(s),
          h('td', {}, age(s.createdAt, now)),
        ),
      ),
      shown.length === 0 ? h('tr', {}, h('td', { colspan: '6', class: 'empty' }, wanted ? 'no session matches' : 'no sessions')) : null,
    ),
  );
}

export function sessionPage(s: SessionJson, actions: Actions): HTMLElement {
  const now = Date.now();
  return h(
    'div',
    { id: 'session-page', 'data-session': s.sessionId },
    h('p', {}, h('a', { href: '#/sessions' }, '← all sessions')),
    h('h2', {}, 'Session ', h('code', {}, s.sessionId)),
    h(
      'dl',
      {},
      h('dt', {}, 'media node'), h('dd', { class: 'media-node' }, s.mediaNodeId),
      h('dt', {}, 'priority'), h('dd', {}, s.priority),
      h('dt', {}, 'age'), h('dd', {}, age(s.createdAt, now)),
      h('dt', {}, 'media mode'), h('dd', {}, s.mediaMode),
      h('dt', {}, 'participants'), h('dd', {}, String(activeParticipants(s))),
      h('dt', {}, 'streams'), h('dd', { class: 'streams' }, streams(s) === null ? 'unknown' : String(streams(s))),
    ),
    s.mediaUnavailable ? h('p', { id: 'media-unavailable', class: 'error' }, 'Streams unknown: ' + s.mediaUnavailable) : null,
    h(
      'button',
      {
        id: 'close-session',
        class: 'danger',
        onclick: async () => {
          const ok = await confirmAction({
            title: 'Close session ' + s.sessionId + '?',
            text: 'Every participant is evicted and the session is deleted from the cluster.',
            confirmLabel: 'Close session',
          });
          if (ok !== null) await actions.closeSession(s.sessionId);
        },
      },
      'Close session…',
    ),
    h('h3', {}, 'Streams'),
    streamsTable(s, now),
    h('h3', {}, 'Participants'),
    h(
      'table',
      { id: 'participants' },
      h(
        'thead',
        {},
        h('tr', {}, ...['connection', 'status', 'role', 'client data', 'platform', 'joined', 'streams', 'subscriptions', ''].map((t) => h('th', {}, t))),
      ),
      h(
        'tbody',
        {},
        ...s.connections.content.map((c) =>
          h(
            'tr',
            { 'data-connection': c.connectionId },
            h('td', {}, c.connectionId),
            h('td', {}, c.status),
            h('td', {}, c.role),
            h('td', {}, c.clientData ?? ''),
            h('td', {}, c.platform ?? ''),
            h('td', {}, c.activeAt ? age(c.activeAt, now) + ' ago' : 'not yet'),
            h('td', {}, (c.publishers ?? []).map((p) => p.streamId).join(', ') || '-'),
            h('td', {}, String((c.subscribers ?? []).length)),
            h(
              'td',
              {},
              h(
                'button',
                {
                  'data-evict': c.connectionId,
                  class: 'danger',
                  onclick: async () => {
                    const ok = await confirmAction({
                      title: 'Evict ' + c.connectionId + '?',
                      text: 'The participant is removed from ' + s.sessionId + ' (it gets participantEvicted) and its token stops working.',
                      confirmLabel: 'Evict',
                    });
                    if (ok !== null) await actions.evict(s.sessionId, c.connectionId);
                  },
                },
                'Evict…',
              ),
            ),
          ),
        ),
        s.connections.content.length === 0 ? h('tr', {}, h('td', { colspan: '9', class: 'empty' }, 'no participants')) : null,
      ),
    ),
  );
}

/** The session list's stream count; "?" (with the reason as a tooltip) when the media node did not say. */
function streamsCell(s: SessionJson): HTMLElement {
  const n = streams(s);
  return n === null
    ? h('td', { class: 'streams unknown', title: s.mediaUnavailable ?? '' }, '?')
    : h('td', { class: 'streams' }, n);
}

function streamsTable(s: SessionJson, now: number): HTMLElement {
  const list = streamList(s);
  return h(
    'table',
    { id: 'streams' },
    h(
      'thead',
      {},
      h('tr', {}, ...['stream', 'publisher', 'type', 'video', 'audio', 'since', 'receivers'].map((t) => h('th', {}, t))),
    ),
    h(
      'tbody',
      {},
      ...list.map(({ publisher, stream, receivers }) => {
        const o = stream.mediaOptions;
        return h(
          'tr',
          { 'data-stream': stream.streamId },
          h('td', {}, stream.streamId),
          h('td', {}, publisher),
          h('td', {}, o.typeOfVideo ?? '-'),
          h('td', {}, o.hasVideo ? (o.videoActive ? 'on' : 'muted') + ' ' + videoSize(o.videoDimensions) + ' ' + o.frameRate + ' fps' : 'none'),
          h('td', {}, o.hasAudio ? (o.audioActive ? 'on' : 'muted') : 'none'),
          h('td', {}, age(stream.createdAt, now)),
          h('td', { class: 'receivers' }, receivers),
        );
      }),
      list.length === 0
        ? h('tr', {}, h('td', { colspan: '7', class: 'empty' }, s.mediaUnavailable ? 'unknown: the media node did not answer' : 'no streams'))
        : null,
    ),
  );
}

/** "640x480" from OpenVidu's stringified {"width":640,"height":480}; empty when it cannot be read. */
function videoSize(dimensions: string | null): string {
  try {
    const d = JSON.parse(dimensions ?? '') as { width?: number; height?: number };
    return d.width && d.height ? d.width + 'x' + d.height : '';
  } catch {
    return '';
  }
}
