// The Tessera demo page: joins a session with the unmodified openvidu-browser (the OpenVidu global, loaded by
// index.html from this master), publishes camera and microphone and shows every participant. Tokens come from the
// master's demo endpoint (POST api/token, on only with TESSERA_DEMO=on), so this page never holds the cluster secret.

// The master's rules (io.tessera.master.demo.DemoTokenRequest), checked here first to say at once what is wrong.
const SESSION_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const SESSION_RULE = "1-128 letters, digits, '-' or '_'";
const MAX_USER_NAME = 50;
const USER_NAME_RULE = `1-${MAX_USER_NAME} characters, no control characters`;

const $ = (id) => document.getElementById(id);
const form = $('join-form');
const sessionInput = $('session-name');
const userInput = $('user-name');
const joinButton = $('join');
const errorBox = $('error');

/**
 * The optional add-on (tessera-browser.js, served beside this page; README "Browser add-on"): `/demo/?addon=on`.
 * It only speeds up recovery; without it the page survives the same faults.
 */
const WITH_ADDON = new URLSearchParams(location.search).get('addon') === 'on';

function loadAddon() {
  if (!WITH_ADDON || window.TesseraAddon) {
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'tessera-browser.js';
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('cannot load the tessera-browser add-on'));
    document.head.appendChild(script);
  });
}

/** Everything about the current call; null when not in one. */
let call = null;

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

function clearError() {
  errorBox.textContent = '';
  errorBox.hidden = true;
}

function setState(state, status) {
  document.body.dataset.state = state;
  $('status').textContent = status ?? '';
}

/** The first thing wrong with the form, or null. */
export function validate(sessionId, userName) {
  if (!SESSION_NAME.test(sessionId)) {
    return `Session name must be ${SESSION_RULE}.`;
  }
  const name = userName.trim();
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || [...name].length > MAX_USER_NAME || /[\u0000-\u001f\u007f-\u009f]/.test(name)) {
    return `Your name must be ${USER_NAME_RULE}.`;
  }
  return null;
}

async function requestToken(sessionId, userName) {
  let response;
  try {
    response = await fetch('api/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sessionId, userName }),
    });
  } catch (e) {
    throw new Error(`The master did not answer (${e.message}). Is the cluster running?`);
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(`No token (${response.status}): ${body.message ?? response.statusText}`);
  }
  return body.token;
}

/** The display name in a connection's data: the master's (server data) when present, else the page's clientData. */
function nameOf(connection) {
  let clientName = null;
  let serverName = null;
  for (const part of String(connection.data ?? '').split('%/%')) {
    try {
      const value = JSON.parse(part);
      clientName ??= typeof value.clientData === 'string' ? value.clientData : null;
      serverName ??= typeof value.userName === 'string' ? value.userName : null;
    } catch {
      // not JSON: another application's data
    }
  }
  return serverName ?? clientName ?? connection.connectionId;
}

function updateCount() {
  const count = call.participants.size;
  const label = $('participant-count');
  label.dataset.count = String(count);
  label.textContent = count === 1 ? '1 participant' : `${count} participants`;
}

/** One list entry and one video tile per connection; idempotent (openvidu-browser may announce one twice). */
function addParticipant(connection, local) {
  const id = connection.connectionId;
  if (call.participants.has(id)) {
    return call.participants.get(id);
  }
  const name = nameOf(connection);
  const item = document.createElement('li');
  item.dataset.connectionId = id;
  item.textContent = local ? `${name} (you)` : name;
  item.classList.toggle('local', local);
  const tile = document.createElement('div');
  tile.className = 'tile';
  tile.dataset.connectionId = id;
  const media = document.createElement('div');
  media.className = 'media';
  const label = document.createElement('span');
  label.className = 'label';
  label.textContent = local ? `${name} (you)` : name;
  const mediaState = document.createElement('span');
  mediaState.className = 'media-state';
  mediaState.textContent = 'no video yet';
  tile.append(media, label, mediaState);
  $('participants').append(item);
  $('tiles').append(tile);
  const participant = { item, tile, media, mediaState };
  call.participants.set(id, participant);
  updateCount();
  return participant;
}

function removeParticipant(connectionId) {
  const participant = call?.participants.get(connectionId);
  if (participant) {
    participant.item.remove();
    participant.tile.remove();
    call.participants.delete(connectionId);
    updateCount();
  }
}

function watchVideo(streamManager, participant, what) {
  streamManager.on('videoElementCreated', () => { participant.mediaState.textContent = `${what}: connecting`; });
  streamManager.on('streamPlaying', () => { participant.mediaState.textContent = what; });
}

async function join(event) {
  event.preventDefault();
  clearError();
  const sessionId = sessionInput.value.trim();
  const userName = userInput.value.trim();
  const invalid = validate(sessionId, userName);
  if (invalid) {
    showError(invalid);
    return;
  }
  joinButton.disabled = true;
  setState('joining', `joining ${sessionId}…`);
  try {
    const token = await requestToken(sessionId, userName);
    await loadAddon();
    const ov = new OpenVidu();
    const session = ov.initSession();
    if (window.TesseraAddon) {
      // before connect: it observes the session's socket from the first message
      window.TesseraAddon.attach(session);
    }
    call = { ov, session, publisher: null, participants: new Map() };
    session.on('connectionCreated', (e) => addParticipant(e.connection, e.connection === session.connection));
    session.on('connectionDestroyed', (e) => removeParticipant(e.connection.connectionId));
    session.on('streamCreated', (e) => {
      const participant = addParticipant(e.stream.connection, false);
      const subscriber = session.subscribe(e.stream, participant.media, { insertMode: 'APPEND' });
      watchVideo(subscriber, participant, 'receiving');
    });
    session.on('streamDestroyed', (e) => {
      const participant = call?.participants.get(e.stream.connection.connectionId);
      if (participant) participant.mediaState.textContent = 'stopped publishing';
    });
    session.on('exception', (e) => showError(`${e.name}: ${e.message}`));
    session.on('reconnecting', () => setState('joined', 'connection lost: reconnecting…'));
    session.on('reconnected', () => setState('joined', 'reconnected'));
    session.on('sessionDisconnected', (e) => {
      if (e.reason !== 'disconnect') {
        showError(`Left the session: ${e.reason}.`);
      }
      reset();
    });
    await session.connect(token, { clientData: userName });
    addParticipant(session.connection, true);
    showRoom(sessionId);
    setState('joined', 'joined; starting camera and microphone…');
    await publish(ov, session);
  } catch (e) {
    showError(e?.message ?? String(e));
    if (!call?.session?.connection) {
      disconnect();
    }
  } finally {
    joinButton.disabled = false;
  }
}

/** Camera and microphone; a refusal leaves the person in the session, seeing the others. */
async function publish(ov, session) {
  const local = call.participants.get(session.connection.connectionId);
  let publisher;
  try {
    publisher = await ov.initPublisherAsync(local.media, {
      audioSource: undefined, videoSource: undefined, publishAudio: true, publishVideo: true,
      resolution: '640x480', frameRate: 30, insertMode: 'APPEND', mirror: true,
    });
  } catch (e) {
    local.mediaState.textContent = 'no camera';
    throw new Error(`Camera and microphone are not available (${e.name ?? 'error'}: ${e.message}); you are in the session without them.`);
  }
  call.publisher = publisher;
  watchVideo(publisher, local, 'publishing');
  try {
    await session.publish(publisher);
    setState('joined', 'joined and publishing');
  } catch (e) {
    local.mediaState.textContent = 'not published';
    throw new Error(`Publishing failed (${e.name ?? 'error'}: ${e.message}); you are in the session without sending media.`);
  }
}

function showRoom(sessionId) {
  form.hidden = true;
  $('room').hidden = false;
  $('room-title').textContent = `Session ${sessionId}`;
  const url = new URL(window.location.href);
  url.searchParams.set('session', sessionId);
  window.history.replaceState(null, '', url);
}

function disconnect() {
  const session = call?.session;
  call = null;
  if (session) {
    try {
      session.disconnect();
    } catch {
      // already gone
    }
  }
}

function reset() {
  call = null;
  $('participants').replaceChildren();
  $('tiles').replaceChildren();
  $('room').hidden = true;
  form.hidden = false;
  setState('idle', '');
}

function leave() {
  clearError();
  const session = call?.session;
  if (session) {
    session.disconnect(); // fires sessionDisconnected ('disconnect'), which resets the page
  }
  reset();
}

async function showConfig() {
  try {
    const config = await (await fetch('api/config')).json();
    if (!config.tokens) {
      $('notice').textContent = config.message;
      $('notice').hidden = false;
    }
  } catch {
    // the join shows any error that matters
  }
}

form.addEventListener('submit', join);
$('leave').addEventListener('click', leave);
window.addEventListener('beforeunload', () => call?.session?.disconnect());
sessionInput.value = new URLSearchParams(window.location.search).get('session') ?? '';
showConfig();
