/*
 * tessera-browser: an optional add-on for the unmodified openvidu-browser 2.32.2 against a Tessera cluster.
 *
 * Without it, openvidu-browser already survives a master's death (its own WebSocket reconnection and `connect`) and a
 * media node's death or drain (it rebuilds a stream when its ICE breaks, and the server pushes
 * `forciblyReconnectSubscriber`). The add-on makes both faster and gapless:
 *  - `mediaNodeFailed` (the session moved to another media node: crash, drain, placement race): every local publisher
 *    of the session rebuilds its stream at once (`Stream.reconnect()`, the public method behind the library's own ICE
 *    recovery: a new PeerConnection and `reconnectStream` under the same stream id), instead of after Chromium's ICE
 *    `disconnected` detection plus the library's 4 s wait. Subscribers then get `forciblyReconnectSubscriber` from the
 *    server as soon as the rebuilt stream is up, which the library handles itself.
 *  - `mediaNodeLost` (the session's media node was found dead; the move follows after the cluster's fence wait): the
 *    same rebuild, earlier; the master holds the `reconnectStream` until the session is on its new node, and the
 *    `mediaNodeFailed` of that move then rebuilds nothing a second time.
 *  - `masterLeaving` (the master is shutting down or fenced): the socket reconnects at once (the same path as the
 *    library's ping timeout), rather than when the master closes it.
 *  - every resume (`connect` after a reconnection) carries `lastSeq`, the last event sequence number the page
 *    received, and the newest resume secret, so the server replays exactly the events the page missed, including
 *    those lost in flight with a dead master; events that arrive twice (by `seq`) are dropped before the library
 *    sees them, since it de-duplicates nothing.
 *
 * Hooks, all on the page's side and none inside the library's closures: a subclass of the page's `WebSocket` (installed
 * when this script loads, before the library opens its socket) observes incoming messages first; the OpenVidu
 * object's `sendRequest` is wrapped per attached session to amend `connect`; `Stream.reconnect()` and the JSON-RPC
 * client's `reconnect()` do the work. Relies on openvidu-browser 2.32.x internals named in docs/CONTRACT.md
 * ("The browser add-on").
 *
 * Use: load this script, then `const addon = TesseraAddon.attach(session)` after `ov.initSession()` and before
 * `session.connect(token)`; `addon.on('publisherRebuilt', e => ...)` to observe; `addon.detach()` to stop.
 * One attached session per session name in a page.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) {
    module.exports = factory(root);
  } else {
    root.TesseraAddon = factory(root);
  }
})(typeof globalThis !== 'undefined' ? globalThis : this, function (root) {
  'use strict';

  const VERSION = '0.1.0';
  /** Attempts to rebuild one publisher after a move; the new node may not take it yet (e.g. 503 during the move). */
  const REBUILD_ATTEMPTS = 8;
  const FIRST_RETRY_MS = 250;
  const MAX_RETRY_MS = 2000;
  /** The longest an old PeerConnection is kept after its stream's rebuild on a drain, if the new one never connects. */
  const OLD_PEER_MAX_MS = 5000;
  /** Resumes refused with 503 (a master not serving yet, or the one leaving) that are tried again on a new socket. */
  const RESUME_RETRIES = 10;
  /** Listeners per event type of one attachment: a page adding them in a loop gets an error, not a leak. */
  const MAX_LISTENERS = 32;
  const EVENTS = ['mediaNodeLost', 'mediaNodeFailed', 'publisherRebuilt', 'publisherRebuildFailed', 'oldPeerClosed',
    'masterLeaving', 'resumeSent', 'resumeRetried', 'duplicateDropped', 'gap'];

  /** Attached sessions; a message belongs to the one whose session name its socket's URL carries. */
  const attachments = new Set();

  function install() {
    const Native = root.WebSocket;
    if (typeof Native !== 'function' || Native.tesseraObserved) {
      return;
    }
    class ObservedWebSocket extends Native {
      constructor(url, protocols) {
        super(url, protocols);
        // Registered before the library's own listener, so a duplicate can be stopped before it reaches it.
        this.addEventListener('message', (event) => dispatch(this, event));
      }
    }
    ObservedWebSocket.tesseraObserved = true;
    root.WebSocket = ObservedWebSocket;
  }

  function dispatch(socket, event) {
    if (attachments.size === 0 || typeof event.data !== 'string') {
      return;
    }
    let name;
    try {
      name = new URL(socket.url).searchParams.get('sessionId');
    } catch (notAUrl) {
      return;
    }
    for (const attachment of attachments) {
      if (attachment.session.sessionId === name) {
        let message;
        try {
          message = JSON.parse(event.data);
        } catch (notJson) {
          return; // not JSON-RPC: the library's business
        }
        if (message !== null && typeof message === 'object') {
          attachment.onMessage(message, event);
        }
        return;
      }
    }
  }

  class Attachment {
    constructor(session) {
      this.session = session;
      this.openvidu = session.openvidu;
      this.listeners = new Map(EVENTS.map((type) => [type, []]));
      /** The last event `seq` the page received; null before the join's result. */
      this.lastSeq = null;
      /** {session, connectionId, secret} from joinRoom's result, the secret renewed by `mediaNodeFailed`. */
      this.resume = null;
      this.resumeRetries = 0;
      this.rebuilding = new Set();
      /** Streams rebuilt on `mediaNodeLost`, by the node lost: its `mediaNodeFailed` does not rebuild them again. */
      this.rebuiltEarly = new Map();
      this.stats = { duplicatesDropped: 0, gaps: 0, publishersRebuilt: 0, resumesWithLastSeq: 0 };
      this.originalSendRequest = this.openvidu.sendRequest;
      const self = this;
      this.openvidu.sendRequest = function (method, params, callback) {
        if (typeof params === 'function') {
          callback = params;
          params = {};
        }
        return self.send(method, params, callback);
      };
    }

    on(type, listener) {
      const list = this.listeners.get(type);
      if (!list) {
        throw new Error('unknown tessera-browser event "' + type + '"; one of ' + EVENTS.join(', '));
      }
      if (list.length >= MAX_LISTENERS) {
        throw new Error('more than ' + MAX_LISTENERS + ' listeners for "' + type + '"');
      }
      list.push(listener);
      return this;
    }

    emit(type, detail) {
      for (const listener of this.listeners.get(type)) {
        try {
          listener(detail);
        } catch (e) {
          console.error('tessera-browser: a "' + type + '" listener threw', e);
        }
      }
    }

    detach() {
      this.openvidu.sendRequest = this.originalSendRequest;
      attachments.delete(this);
    }

    /** Outgoing requests: a fresh join starts a new sequence; a resume carries lastSeq and the newest secret. */
    send(method, params, callback) {
      const original = this.originalSendRequest.bind(this.openvidu);
      if (method === 'joinRoom') {
        this.lastSeq = null;
        this.resume = null;
        this.resumeRetries = 0;
      } else if (method === 'connect' && params && params.reconnect === true && this.lastSeq !== null) {
        return this.sendResume(original, params, callback);
      }
      return original(method, params, callback);
    }

    sendResume(original, libraryParams, callback) {
      const lastSeq = this.lastSeq;
      const params = this.resume
        ? { sessionId: this.resume.session, connectionId: this.resume.connectionId,
            resumeSecret: this.resume.secret, lastSeq }
        : Object.assign({}, libraryParams, { lastSeq });
      this.stats.resumesWithLastSeq++;
      this.emit('resumeSent', { lastSeq });
      return original('connect', params, (error, result) => {
        if (!error) {
          this.resumeRetries = 0;
          return callback && callback(error, result);
        }
        if (error.code === 503 && this.resumeRetries < RESUME_RETRIES && this.openvidu.jsonRpcClient) {
          // A master that is leaving, fenced or not rebuilt yet: the library would give up (sessionStatus, then
          // sessionDisconnected). Reconnect through the load balancer again; the library resumes on the new socket.
          this.resumeRetries++;
          this.emit('resumeRetried', { code: error.code, message: error.message, attempt: this.resumeRetries });
          setTimeout(() => this.openvidu.jsonRpcClient.reconnect(), Math.min(MAX_RETRY_MS,
            FIRST_RETRY_MS * this.resumeRetries));
          return undefined;
        }
        if ((error.code === 400 || error.code === 409) && this.resume) {
          // The server cannot replay from lastSeq (too many missed events, or a lastSeq it never had): resume as
          // the library asked, after the last event a master confirmed; what comes twice is dropped by seq.
          return original('connect', libraryParams, callback);
        }
        return callback && callback(error, result);
      });
    }

    onMessage(message, event) {
      const result = message.result;
      if (result && typeof result === 'object' && typeof result.resumeSecret === 'string'
          && typeof result.id === 'string') {
        this.resume = { session: result.session || this.session.sessionId, connectionId: result.id,
          secret: result.resumeSecret };
        if (this.lastSeq === null && typeof result.seq === 'number') {
          this.lastSeq = result.seq;
        }
        return;
      }
      if (typeof message.method !== 'string') {
        return;
      }
      const params = message.params && typeof message.params === 'object' ? message.params : {};
      if (typeof params.seq === 'number' && this.lastSeq !== null) {
        if (params.seq <= this.lastSeq) {
          event.stopImmediatePropagation(); // the library would apply it a second time
          this.stats.duplicatesDropped++;
          this.emit('duplicateDropped', { method: message.method, seq: params.seq });
          return;
        }
        if (params.seq > this.lastSeq + 1) {
          this.stats.gaps++;
          this.emit('gap', { from: this.lastSeq, to: params.seq });
        }
      }
      if (typeof params.seq === 'number') {
        this.lastSeq = params.seq;
      }
      if (message.method === 'mediaNodeLost' && params.sessionId === this.session.sessionId) {
        // The node died and the session is about to move: rebuild now; the master holds the new offer until then.
        this.emit('mediaNodeLost', { from: params.failedMediaNodeId });
        this.rebuildPublishers(params.failedMediaNodeId, true, false);
      } else if (message.method === 'mediaNodeFailed' && params.sessionId === this.session.sessionId) {
        if (this.resume && typeof params.resumeSecret === 'string') {
          this.resume.secret = params.resumeSecret; // a resume needs the new secret from now on
        }
        this.emit('mediaNodeFailed', { from: params.failedMediaNodeId, to: params.mediaNodeId, reason: params.reason });
        // The old node of a drain (or of a placement race) is alive and keeps forwarding until the stream is up on
        // the new one: the old PeerConnection goes on sending until the new one is connected (make before break).
        this.rebuildPublishers(params.failedMediaNodeId, false, params.reason !== 'nodeCrashed');
      } else if (message.method === 'masterLeaving') {
        this.emit('masterLeaving', { reason: params.reason, message: params.message });
        // After this event has reached the library (it logs it as unknown): the socket is replaced at once.
        setTimeout(() => this.reconnectNow(), 0);
      }
    }

    reconnectNow() {
      const client = this.openvidu.jsonRpcClient;
      if (client && typeof client.reconnect === 'function') {
        client.reconnect();
      }
    }

    /**
     * `early`: on `mediaNodeLost`, remembered per stream, so that the `mediaNodeFailed` of the same node that follows
     * does not rebuild a stream a second time (one that is rebuilt, or still rebuilding, on the new node already).
     * `keepOld`: the old node is alive (a drain): the old PeerConnection is closed only once the new one connected.
     */
    rebuildPublishers(fromNode, early, keepOld) {
      for (const publisher of this.openvidu.publishers || []) {
        const stream = publisher.stream;
        if (publisher.session !== this.session || !stream || !stream.isLocalStreamPublished) {
          continue;
        }
        if (early) {
          this.rebuiltEarly.set(stream.streamId, fromNode);
        } else if (this.rebuiltEarly.get(stream.streamId) === fromNode) {
          this.rebuiltEarly.delete(stream.streamId);
          continue;
        }
        this.rebuild(stream, 1, performance.now(), keepOld);
      }
    }

    /**
     * Make before break for one rebuild: the library closes the stream's PeerConnection before it makes the new one
     * (`disposeWebRtcPeer()` in its `initWebRtcPeerSend(true)`); an own property shadows that method for this one
     * call, so the old PeerConnection keeps sending to the old node, whose copy keeps forwarding until the stream is
     * up on the new node, and subscribers see no gap until they switch. Returns the old peer, to close later.
     */
    keepOldPeer(stream) {
      const old = stream.webRtcPeer;
      if (!old || typeof old.dispose !== 'function' || typeof stream.disposeWebRtcPeer !== 'function'
          || Object.prototype.hasOwnProperty.call(stream, 'disposeWebRtcPeer')) {
        return null; // not the library's shape (or a rebuild keeps one already): the library's own way
      }
      stream.disposeWebRtcPeer = function () {
        delete stream.disposeWebRtcPeer; // once: later calls are the library's own
        if (typeof stream.stopWebRtcStats === 'function') {
          stream.stopWebRtcStats();
        }
      };
      return old;
    }

    /** Closes the old peer once the stream's new PeerConnection is connected, or after OLD_PEER_MAX_MS anyway. */
    closeOldPeer(stream, old) {
      if (Object.prototype.hasOwnProperty.call(stream, 'disposeWebRtcPeer')) {
        delete stream.disposeWebRtcPeer; // the library never got to close it (the rebuild failed before)
      }
      const since = performance.now();
      const check = () => {
        const pc = stream.webRtcPeer && stream.webRtcPeer !== old ? stream.webRtcPeer.pc : null;
        const state = pc ? pc.connectionState || pc.iceConnectionState : null;
        if (state === 'connected' || state === 'completed' || performance.now() - since > OLD_PEER_MAX_MS) {
          try {
            old.dispose();
          } catch (e) {
            console.error('tessera-browser: closing the old PeerConnection failed', e);
          }
          this.emit('oldPeerClosed', { streamId: stream.streamId, ms: Math.round(performance.now() - since) });
        } else {
          setTimeout(check, 50);
        }
      };
      check();
    }

    rebuild(stream, attempt, started, keepOld, oldPeer) {
      if (attempt === 1 && this.rebuilding.has(stream.streamId)) {
        return; // a rebuild of this stream is under way; the library makes concurrent ones wait for it anyway
      }
      this.rebuilding.add(stream.streamId);
      const old = oldPeer || (keepOld ? this.keepOldPeer(stream) : null);
      stream.reconnect().then(() => {
        this.rebuilding.delete(stream.streamId);
        if (old) {
          this.closeOldPeer(stream, old);
        }
        this.stats.publishersRebuilt++;
        this.emit('publisherRebuilt', { streamId: stream.streamId, attempts: attempt,
          ms: Math.round(performance.now() - started) });
      }, (error) => {
        if (attempt < REBUILD_ATTEMPTS && stream.isLocalStreamPublished) {
          const wait = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (attempt - 1));
          setTimeout(() => this.rebuild(stream, attempt + 1, started, false, old), wait);
        } else {
          this.rebuilding.delete(stream.streamId);
          if (old) {
            this.closeOldPeer(stream, old);
          }
          this.rebuiltEarly.delete(stream.streamId); // the move's mediaNodeFailed tries once more
          this.emit('publisherRebuildFailed', { streamId: stream.streamId, attempts: attempt,
            error: String(error && error.message ? error.message : error) });
        }
      });
    }
  }

  install();

  return {
    version: VERSION,
    /**
     * Attaches the add-on to a session of openvidu-browser (after `ov.initSession()`, before `session.connect()`).
     * Returns the attachment: `on(type, listener)`, `detach()`, `stats`, `lastSeq`.
     */
    attach(session) {
      if (!session || !session.openvidu || typeof session.openvidu.sendRequest !== 'function') {
        throw new Error('TesseraAddon.attach needs an openvidu-browser Session (ov.initSession())');
      }
      for (const attachment of attachments) {
        if (attachment.session === session) {
          return attachment;
        }
      }
      if (!root.WebSocket || !root.WebSocket.tesseraObserved) {
        install();
      }
      const attachment = new Attachment(session);
      attachments.add(attachment);
      return attachment;
    },
  };
});
