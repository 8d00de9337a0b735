// Unit tests of the add-on against a stand-in for the page's WebSocket and openvidu-browser's Session (node --test;
// the demo module's build runs them). The real library and Chromium: MediaNodeBrowserFailoverAddonTest.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');

/** The page's WebSocket as the add-on sees it: an EventTarget with a url. */
class FakeWebSocket extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
  }
}
globalThis.WebSocket = FakeWebSocket;
const TesseraAddon = require('../tessera-browser.js');

let sessions = 0;

/** A session named like openvidu-browser's, its OpenVidu object recording what the library would send. */
function fakeSession() {
  const name = 'ses' + ++sessions;
  const sent = [];
  const reconnects = [];
  const session = { sessionId: name };
  session.openvidu = {
    publishers: [],
    sent,
    reconnects,
    sendRequest(method, params, callback) {
      sent.push({ method, params, callback });
    },
    jsonRpcClient: { reconnect: () => reconnects.push(Date.now()) },
  };
  // the socket openvidu-browser opens, with its own listener registered after the add-on's
  const socket = new WebSocket('ws://127.0.0.1:4440/openvidu?sessionId=' + name);
  const delivered = [];
  socket.addEventListener('message', (e) => delivered.push(JSON.parse(e.data)));
  const receive = (message) => socket.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(message) }));
  return { session, socket, delivered, receive };
}

function joined(page, addon) {
  page.session.openvidu.sendRequest('joinRoom', { token: 't' }, () => {});
  page.receive({ id: 1, jsonrpc: '2.0', result: { id: 'con_A', session: page.session.sessionId, sessionId: 'tsr1.x.y.z',
    resumeSecret: 'secret-1', seq: 0 } });
  return addon;
}

function notification(method, params) {
  return { jsonrpc: '2.0', method, params };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('an event whose seq the page already received never reaches the library', () => {
  const page = fakeSession();
  const addon = joined(page, TesseraAddon.attach(page.session));
  page.receive(notification('participantJoined', { id: 'con_B', seq: 1 }));
  page.receive(notification('sendMessage', { data: 'hi', seq: 2 }));
  page.receive(notification('sendMessage', { data: 'hi', seq: 2 }));
  page.receive(notification('participantJoined', { id: 'con_B', seq: 1 }));
  page.receive(notification('sendMessage', { data: 'again', seq: 3 }));
  assert.deepEqual(page.delivered.filter((m) => m.method).map((m) => m.params.seq), [1, 2, 3]);
  assert.equal(addon.stats.duplicatesDropped, 2);
  assert.equal(addon.lastSeq, 3);
});

test('a resume carries lastSeq and the newest resume secret, in the form the SDK sends', () => {
  const page = fakeSession();
  const addon = joined(page, TesseraAddon.attach(page.session));
  page.receive(notification('participantJoined', { id: 'con_B', seq: 1 }));
  page.receive(notification('mediaNodeFailed', { sessionId: page.session.sessionId, failedMediaNodeId: 'media-1',
    mediaNodeId: 'media-2', reason: 'nodeCrashed', resumeSecret: 'secret-2', seq: 2 }));
  page.session.openvidu.sendRequest('connect', { sessionId: 'tsr1.x.y.z', reconnect: true }, () => {});
  const connect = page.session.openvidu.sent.at(-1);
  assert.equal(connect.method, 'connect');
  assert.deepEqual(connect.params, { sessionId: page.session.sessionId, connectionId: 'con_A',
    resumeSecret: 'secret-2', lastSeq: 2 });
  assert.equal(addon.stats.resumesWithLastSeq, 1);
});

test('a resume refused with 503 is tried again on a new socket instead of ending the session', async () => {
  const page = fakeSession();
  const addon = joined(page, TesseraAddon.attach(page.session));
  const answers = [];
  page.session.openvidu.sendRequest('connect', { sessionId: 'tsr1.x.y.z', reconnect: true }, (e) => answers.push(e));
  page.session.openvidu.sent.at(-1).callback({ code: 503, message: 'master not serving' });
  await sleep(300);
  assert.deepEqual(answers, [], 'the library did not see the refusal');
  assert.equal(page.session.openvidu.reconnects.length, 1);
  // any other refusal is the library's to handle
  page.session.openvidu.sendRequest('connect', { sessionId: 'tsr1.x.y.z', reconnect: true }, (e) => answers.push(e));
  page.session.openvidu.sent.at(-1).callback({ code: 401, message: 'wrong secret' });
  assert.deepEqual(answers, [{ code: 401, message: 'wrong secret' }]);
  addon.detach();
});

test('a resume the server cannot replay from lastSeq falls back to the library own request', () => {
  const page = fakeSession();
  joined(page, TesseraAddon.attach(page.session));
  const libraryParams = { sessionId: 'tsr1.x.y.z', reconnect: true };
  page.session.openvidu.sendRequest('connect', libraryParams, () => {});
  page.session.openvidu.sent.at(-1).callback({ code: 409, message: 'missed more events than kept' });
  assert.deepEqual(page.session.openvidu.sent.at(-1).params, libraryParams);
});

test('mediaNodeFailed rebuilds every published local stream of the session at once, retrying refusals', async () => {
  const page = fakeSession();
  const other = fakeSession();
  const addon = joined(page, TesseraAddon.attach(page.session));
  const calls = [];
  const stream = (id, published, failures) => ({ streamId: id, isLocalStreamPublished: published,
    reconnect() {
      calls.push(id);
      return calls.filter((c) => c === id).length <= failures ? Promise.reject(new Error('503')) : Promise.resolve();
    } });
  page.session.openvidu.publishers.push({ session: page.session, stream: stream('str_CAM_A', true, 1) },
    { session: page.session, stream: stream('str_CAM_unpublished', false, 0) },
    { session: other.session, stream: stream('str_CAM_other', true, 0) });
  const rebuilt = [];
  addon.on('publisherRebuilt', (e) => rebuilt.push(e));
  page.receive(notification('mediaNodeFailed', { sessionId: page.session.sessionId, failedMediaNodeId: 'media-1',
    mediaNodeId: 'media-2', reason: 'drain', resumeSecret: 'secret-2', seq: 1 }));
  await sleep(400);
  assert.deepEqual(calls, ['str_CAM_A', 'str_CAM_A']);
  assert.equal(rebuilt.length, 1);
  assert.equal(rebuilt[0].attempts, 2);
});

test('mediaNodeLost rebuilds at once, and the mediaNodeFailed of the same node does not rebuild again', async () => {
  const page = fakeSession();
  const addon = joined(page, TesseraAddon.attach(page.session));
  const calls = [];
  page.session.openvidu.publishers.push({ session: page.session, stream: { streamId: 'str_CAM_A',
    isLocalStreamPublished: true, reconnect() { calls.push('str_CAM_A'); return Promise.resolve(); } } });
  const lost = [];
  addon.on('mediaNodeLost', (e) => lost.push(e.from));
  page.receive(notification('mediaNodeLost', { sessionId: page.session.sessionId, failedMediaNodeId: 'media-1' }));
  await sleep(10);
  assert.deepEqual(lost, ['media-1']);
  assert.deepEqual(calls, ['str_CAM_A']);
  assert.equal(addon.lastSeq, 0, 'a hint without seq leaves the sequence alone');
  page.receive(notification('mediaNodeFailed', { sessionId: page.session.sessionId, failedMediaNodeId: 'media-1',
    mediaNodeId: 'media-2', reason: 'nodeCrashed', resumeSecret: 'secret-2', seq: 1 }));
  await sleep(10);
  assert.deepEqual(calls, ['str_CAM_A'], 'rebuilt once');
  // a later move of the session (from media-2) rebuilds again
  page.receive(notification('mediaNodeFailed', { sessionId: page.session.sessionId, failedMediaNodeId: 'media-2',
    mediaNodeId: 'media-3', reason: 'drain', resumeSecret: 'secret-3', seq: 2 }));
  await sleep(10);
  assert.deepEqual(calls, ['str_CAM_A', 'str_CAM_A']);
});

/** A local stream shaped as openvidu-browser's: reconnect() closes its peer (disposeWebRtcPeer) and makes another. */
function libraryStream(id, log) {
  class Stream {
    disposeWebRtcPeer() {
      log.push('library closed ' + this.webRtcPeer.name);
      this.webRtcPeer.dispose();
    }
    stopWebRtcStats() {}
    reconnect() {
      this.disposeWebRtcPeer();
      const peer = { name: 'pc' + ++this.made, pc: { connectionState: 'connecting' },
        dispose() { log.push('closed ' + this.name); } };
      this.webRtcPeer = peer;
      setTimeout(() => { peer.pc.connectionState = 'connected'; }, 150);
      return Promise.resolve();
    }
  }
  const stream = new Stream();
  stream.streamId = id;
  stream.isLocalStreamPublished = true;
  stream.made = 1;
  stream.webRtcPeer = { name: 'pc1', pc: { connectionState: 'connected' }, dispose() { log.push('closed pc1'); } };
  return stream;
}

test('a drain keeps the old PeerConnection sending until the new one is connected; a crash does not', async () => {
  const page = fakeSession();
  const addon = joined(page, TesseraAddon.attach(page.session));
  const log = [];
  const stream = libraryStream('str_CAM_A', log);
  page.session.openvidu.publishers.push({ session: page.session, stream });
  page.receive(notification('mediaNodeFailed', { sessionId: page.session.sessionId, failedMediaNodeId: 'media-1',
    mediaNodeId: 'media-2', reason: 'drain', resumeSecret: 'secret-2', seq: 1 }));
  await sleep(60);
  assert.deepEqual(log, [], 'the old peer still sends while the new one connects');
  assert.equal(stream.webRtcPeer.name, 'pc2');
  await sleep(250);
  assert.deepEqual(log, ['closed pc1'], 'closed once the new one connected');
  assert.ok(!Object.prototype.hasOwnProperty.call(stream, 'disposeWebRtcPeer'), 'the library method is back');
  // a crash: the old node is dead, the library closes the old peer itself, at once
  page.receive(notification('mediaNodeFailed', { sessionId: page.session.sessionId, failedMediaNodeId: 'media-2',
    mediaNodeId: 'media-3', reason: 'nodeCrashed', resumeSecret: 'secret-3', seq: 2 }));
  await sleep(10);
  assert.deepEqual(log, ['closed pc1', 'library closed pc2', 'closed pc2']);
  assert.equal(addon.stats.publishersRebuilt, 2);
});

test('masterLeaving replaces the socket at once', async () => {
  const page = fakeSession();
  const addon = joined(page, TesseraAddon.attach(page.session));
  const leaving = [];
  addon.on('masterLeaving', (e) => leaving.push(e.reason));
  page.receive(notification('masterLeaving', { reason: 'shutdown', message: 'bye' }));
  await sleep(10);
  assert.deepEqual(leaving, ['shutdown']);
  assert.equal(page.session.openvidu.reconnects.length, 1);
});

test('a new join starts a new sequence', () => {
  const page = fakeSession();
  const addon = joined(page, TesseraAddon.attach(page.session));
  page.receive(notification('sendMessage', { data: 'a', seq: 1 }));
  page.receive(notification('sendMessage', { data: 'b', seq: 2 }));
  joined(page, addon);
  page.receive(notification('sendMessage', { data: 'c', seq: 1 }));
  assert.deepEqual(page.delivered.filter((m) => m.method).map((m) => m.params.data), ['a', 'b', 'c']);
});

test('attach refuses what is not an openvidu-browser session, and listeners of unknown events', () => {
  assert.throws(() => TesseraAddon.attach({}), /initSession/);
  const page = fakeSession();
  assert.throws(() => TesseraAddon.attach(page.session).on('nosuch', () => {}), /unknown tessera-browser event/);
});
