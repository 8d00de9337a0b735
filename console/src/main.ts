// Tessera operator console. The credential lives in the Api object only: reloading the page asks again.
import './style.css';
import { Api, ApiError, MasterLink } from './api';
import { LoadChart } from './chart';
import { clock, h, swap } from './dom';
import { ClusterEvent, Feed, FeedState } from './feed';
import { ClusterJson, Page, SessionJson } from './model';
import { Actions, GoneNode, haPlan, mastersTable, mediaNodesTable, sessionPage, sessionsTable } from './views';

const MAX_EVENTS = 500;
const api = new Api();

const app = document.getElementById('app')!;

// ---- login

function showLogin(): void {
  const secret = h('input', { id: 'secret', type: 'password', autocomplete: 'current-password', placeholder: 'TESSERA_SECRET' });
  const error = h('p', { id: 'login-error', class: 'error', role: 'alert' });
  const form = h(
    'form',
    { id: 'login', class: 'login' },
    h('h1', {}, 'Tessera console'),
    h('p', {}, 'The cluster secret (the REST API\'s OPENVIDUAPP password). It stays in this page\'s memory only.'),
    h('label', {}, 'secret ', secret),
    h('button', { id: 'login-button', type: 'submit' }, 'Log in'),
    error,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    api.setSecret(secret.value);
    try {
      await api.get<{ master: string }>('/console/api/login');
      start();
    } catch (err) {
      error.textContent =
        err instanceof ApiError && err.status === 401
          ? 'Wrong secret: the master refused it (401). Use the value of TESSERA_SECRET.'
          : 'Cannot log in: ' + (err as Error).message;
    }
  });
  app.replaceChildren(form);
  secret.focus();
}

// ---- state

let cluster: ClusterJson | null = null;
let sessions: SessionJson[] = [];
let session: SessionJson | null = null;
let sessionMissing = '';
const events: ClusterEvent[] = [];
const seenNodes = new Map<string, GoneNode['node']>();
const gone = new Map<string, GoneNode>();
const masterUrls = new Map<string, string>();
let filter = '';
let banner = '';

// ---- layout (built once; sections re-rendered from state)

const els = {
  via: h('span', { id: 'via' }),
  feedState: h('span', { id: 'feed-state', class: 'pill' }),
  banner: h('div', { id: 'banner', class: 'banner', role: 'alert' }),
  haPlan: h('div'),
  masters: h('div'),
  mediaNodes: h('div'),
  chart: h('div', { id: 'load-chart', class: 'chart' }),
  sessions: h('div'),
  session: h('div'),
  timeline: h('ol', { id: 'timeline' }),
  viewCluster: h('section', { id: 'view-cluster' }),
  viewSessions: h('section', { id: 'view-sessions' }),
  viewSession: h('section', { id: 'view-session' }),
  summary: h('span', { id: 'summary' }),
};
let chart: LoadChart;

function layout(): void {
  const search = h('input', { id: 'session-search', type: 'search', placeholder: 'search session or media node' });
  search.addEventListener('input', () => {
    filter = search.value;
    render();
  });
  els.viewCluster.append(
    h('h2', {}, 'HA plan'), els.haPlan,
    h('h2', {}, 'Masters'), els.masters,
    h('h2', {}, 'Media nodes'), els.mediaNodes,
    h('h3', {}, 'Sessions per media node'), els.chart,
  );
  els.viewSessions.append(h('h2', {}, 'Sessions ', els.summary), search, els.sessions);
  els.viewSession.append(els.session);
  app.replaceChildren(
    h(
      'header',
      {},
      h('strong', {}, 'Tessera'),
      h('nav', {}, h('a', { href: '#/cluster' }, 'Cluster'), h('a', { href: '#/sessions' }, 'Sessions')),
      h('span', { class: 'grow' }),
      els.via,
      els.feedState,
    ),
    els.banner,
    h(
      'div',
      { class: 'columns' },
      h('main', {}, els.viewCluster, els.viewSessions, els.viewSession),
      h('aside', {}, h('h2', {}, 'Timeline'), els.timeline),
    ),
  );
  chart = new LoadChart(els.chart);
}

function route(): { view: 'cluster' | 'sessions' | 'session'; id?: string } {
  const hash = decodeURIComponent(window.location.hash.replace(/^#\/?/, ''));
  if (hash.startsWith('sessions/')) return { view: 'session', id: hash.slice('sessions/'.length) };
  if (hash === 'sessions') return { view: 'sessions' };
  return { view: 'cluster' };
}

function render(): void {
  const r = route();
  els.viewCluster.hidden = r.view !== 'cluster';
  els.viewSessions.hidden = r.view !== 'sessions';
  els.viewSession.hidden = r.view !== 'session';
  els.via.textContent = 'via ' + (cluster?.self ?? '?') + ' (' + api.baseLabel + ')';
  els.banner.textContent = banner;
  els.banner.hidden = banner === '';
  if (cluster) {
    swap(els.haPlan, haPlan(cluster));
    swap(els.masters, mastersTable(cluster, masterUrls, api.baseLabel));
    swap(els.mediaNodes, mediaNodesTable(cluster, [...gone.values()], actions));
  }
  els.summary.textContent = '(' + sessions.length + ')';
  swap(els.sessions, sessionsTable(sessions, filter));
  if (r.view === 'session') {
    swap(els.session,
      session && session.sessionId === r.id
        ? sessionPage(session, actions)
        : h('p', { class: 'empty' }, sessionMissing === r.id ? 'session ' + r.id + ' does not exist (any more)' : 'loading…'),
    );
  }
}

function renderTimeline(): void {
  els.timeline.replaceChildren(
    ...events
      .slice()
      .reverse()
      .map((e) => h('li', { class: 'event ' + e.kind, 'data-kind': e.kind }, h('time', {}, clock(e.at)), ' ', e.text)),
  );
}

// ---- data

async function refreshCluster(): Promise<void> {
  const next = await api.get<ClusterJson>('/openvidu/api/cluster');
  const now = Date.now();
  for (const n of next.mediaNodes) {
    seenNodes.set(n.id, n);
    gone.delete(n.id);
  }
  for (const [id, node] of seenNodes) {
    if (!next.mediaNodes.some((n) => n.id === id) && !gone.has(id)) {
      gone.set(id, { node, goneAt: now });
    }
  }
  cluster = next;
  chart.add(now, new Map(next.mediaNodes.filter((n) => n.reachable).map((n) => [n.id, n.load.sessions])));
}

async function refreshSessions(): Promise<void> {
  const page = await api.get<Page<SessionJson>>('/openvidu/api/sessions?pendingConnections=true');
  sessions = page.content;
  const r = route();
  if (r.view === 'session' && r.id) {
    try {
      session = await api.get<SessionJson>('/openvidu/api/sessions/' + encodeURIComponent(r.id) + '?pendingConnections=true');
      sessionMissing = '';
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        session = null;
        sessionMissing = r.id;
      } else {
        throw e;
      }
    }
  }
}

async function refreshMasters(): Promise<void> {
  const list = await api.get<{ self: string; masters: MasterLink[] }>('/console/api/masters');
  masterUrls.clear();
  list.masters.forEach((m) => masterUrls.set(m.id, m.url));
  api.setMasters(list.masters);
}

let refreshing = false;
let again = false;

/** Fetches everything and renders; calls that arrive while one runs fold into one more run. */
async function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    do {
      again = false;
      try {
        await Promise.all([refreshCluster(), refreshSessions()]);
        banner = '';
      } catch (e) {
        banner = 'Cannot read the cluster: ' + (e as Error).message;
      }
      render();
    } while (again);
  } finally {
    refreshing = false;
  }
}

// ---- actions (through the REST API; the answer or error is shown in the banner)

async function act(what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
    banner = '';
  } catch (e) {
    banner = what + ' failed: ' + (e as Error).message;
  }
  await refresh();
}

const actions: Actions = {
  drain: (nodeId, seconds) =>
    act('drain ' + nodeId, async () => {
      await api.send('PATCH', '/openvidu/api/media-nodes/' + encodeURIComponent(nodeId), {
        status: 'draining',
        deadline: seconds,
      });
    }),
  undrain: (nodeId) =>
    act('undo drain of ' + nodeId, async () => {
      await api.send('PATCH', '/openvidu/api/media-nodes/' + encodeURIComponent(nodeId), { status: 'running' });
    }),
  closeSession: (sessionId) =>
    act('close ' + sessionId, () => api.send('DELETE', '/openvidu/api/sessions/' + encodeURIComponent(sessionId))),
  evict: (sessionId, connectionId) =>
    act('evict ' + connectionId, () =>
      api.send('DELETE', '/openvidu/api/sessions/' + encodeURIComponent(sessionId) + '/connection/' + encodeURIComponent(connectionId)),
    ),
};

// ---- start

function onEvent(e: ClusterEvent): void {
  events.push(e);
  if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
  renderTimeline();
  void refresh();
}

function onFeedState(state: FeedState, detail: string): void {
  els.feedState.textContent = state === 'live' ? 'live' : state === 'refused' ? 'feed refused: ' + detail : state + '…';
  els.feedState.className = 'pill ' + state;
}

function start(): void {
  layout();
  window.addEventListener('hashchange', () => {
    session = null;
    render();
    void refresh();
  });
  api.onMasterChange(() => {
    render();
    void refresh();
  });
  const feed = new Feed(api, onEvent, onFeedState, () => {
    // A new master tells its own timeline: show that one.
    events.length = 0;
    renderTimeline();
  });
  void feed.run();
  void refresh();
  void refreshMasters().catch(() => undefined);
  setInterval(() => void refresh(), 1000);
  setInterval(() => void refreshMasters().catch(() => undefined), 5000);
}

showLogin();
