// A page using the unmodified openvidu-browser 2.32.2, loaded from the master named in ?master= (its /demo/js/ route),
// as an application would: connect with a token, publish the fake camera and microphone, subscribe to every stream
// that is created. The test reads what happened from window.page.
window.page = {
  ov: null,
  session: null,
  publisher: null,
  connectionId: null,
  events: [],        // {type, connectionId} in the order openvidu-browser emitted them
  errors: [],        // uncaught errors and openvidu-browser exception events
  slow: [],          // openvidu-browser's NO_STREAM_PLAYING_EVENT warnings (timing, not failures)
  subscribers: {},   // remote connection id -> Subscriber
  joinStarted: 0,    // performance.now() when connect was called
  firstFrame: {},    // remote connection id -> ms from connect to its first decoded video frame

  // The library, and with ?addon=on the tessera-browser add-on too, both as the master's demo route serves them.
  loadLibrary() {
    const query = new URLSearchParams(location.search);
    const master = query.get('master');
    const load = (src) => new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error('cannot load ' + script.src));
      document.head.appendChild(script);
    });
    return Promise.all([
      window.OpenVidu ? null : load(master + '/demo/js/openvidu-browser-2.32.2.min.js'),
      query.get('addon') !== 'on' || window.TesseraAddon ? null : load(master + '/demo/tessera-browser.js')
    ]);
  },

  addon: null,
  // What the add-on did, as 'addon:<event>' entries in page.events.
  attachAddon(session) {
    if (!window.TesseraAddon) {
      return;
    }
    page.addon = window.TesseraAddon.attach(session);
    for (const type of ['mediaNodeLost', 'mediaNodeFailed', 'publisherRebuilt', 'publisherRebuildFailed', 'oldPeerClosed', 'masterLeaving',
      'resumeSent', 'resumeRetried', 'duplicateDropped', 'gap']) {
      page.addon.on(type, detail => page.events.push({ type: 'addon:' + type, connectionId: null, detail,
        at: Date.now() }));
    }
  },

  record(type, connectionId) {
    page.events.push({ type, connectionId: connectionId || null, at: Date.now() });
  },

  // Joins with the token, publishes, and subscribes to every remote stream; resolves to the own connection id.
  async join(token) {
    await page.loadLibrary();
    page.ov = new OpenVidu();
    page.ov.enableProdMode();
    const session = page.ov.initSession();
    page.session = session;
    page.attachAddon(session);
    session.on('connectionCreated', e => page.record('connectionCreated', e.connection.connectionId));
    session.on('connectionDestroyed', e => page.record('connectionDestroyed', e.connection.connectionId));
    session.on('streamDestroyed', e => page.record('streamDestroyed', e.stream.connection.connectionId));
    // openvidu-browser's own reconnection (its WebSocket lost, then 'connect' with its rpcSessionId)
    session.on('reconnecting', () => page.record('reconnecting', null));
    session.on('reconnected', () => page.record('reconnected', null));
    session.on('sessionDisconnected', e => page.record('sessionDisconnected', e.reason));
    session.on('signal', e => page.record('signal:' + e.data, e.from ? e.from.connectionId : null));
    session.on('streamPropertyChanged', e => page.events.push({ type: 'streamPropertyChanged',
      connectionId: e.stream.connection.connectionId, property: e.changedProperty, newValue: e.newValue,
      reason: e.reason }));
    session.on('exception', e => {
      // openvidu-browser's own 4 s wall-clock warning that a video has not started playing yet: on a loaded
      // machine it fires while the stream is fine (the test waits for streamPlaying itself), so it is kept apart.
      (e.name === 'NO_STREAM_PLAYING_EVENT' ? page.slow : page.errors).push('exception ' + e.name + ': ' + e.message);
    });
    session.on('streamCreated', e => {
      const remote = e.stream.connection.connectionId;
      page.record('streamCreated', remote);
      const subscriber = session.subscribe(e.stream, 'subscribers');
      page.subscribers[remote] = subscriber;
      subscriber.on('streamPlaying', () => page.record('streamPlaying', remote));
      page.watchFirstFrame(remote, subscriber);
    });
    page.joinStarted = performance.now();
    await session.connect(token);
    page.connectionId = session.connection.connectionId;
    const publisher = await page.ov.initPublisherAsync('publisher', {
      audioSource: undefined, videoSource: undefined, publishAudio: true, publishVideo: true,
      resolution: '320x240', frameRate: 15, insertMode: 'APPEND', mirror: false
    });
    page.publisher = publisher;
    publisher.on('streamCreated', () => page.record('publisherStreamCreated', page.connectionId));
    await session.publish(publisher);
    return page.connectionId;
  },

  // Polls the subscription's statistics until its first decoded frame, for the join-to-first-frame time.
  watchFirstFrame(remote, subscriber) {
    const poll = async () => {
      try {
        // throws until openvidu-browser made the stream's peer connection
        const stats = await window.tesseraStats(subscriber.stream.getRTCPeerConnection());
        if (stats.videoFramesDecoded > 0) {
          page.firstFrame[remote] = Math.round(performance.now() - page.joinStarted);
          return;
        }
      } catch (notYet) {
        // polled again below
      }
      if (page.subscribers[remote] === subscriber) {
        setTimeout(poll, 20);
      }
    };
    setTimeout(poll, 20);
  },

  subscriberPc(remote) {
    try {
      return page.subscribers[remote].stream.getRTCPeerConnection();
    } catch (notYet) {
      return null;
    }
  },

  publisherPc() {
    try {
      return page.publisher.stream.getRTCPeerConnection();
    } catch (notYet) {
      return null;
    }
  },

  // Samples framesDecoded of every subscription every 50 ms and keeps, per remote, the longest time it did not rise
  // (re-reading the peer connection each time: a reconnection replaces it). Started once media flows.
  frameWatch: {},
  frameWatchRunning: false,
  watchFrames() {
    // (re)starts the measurement: every call begins a new window of longest stalls
    const started = Date.now();
    for (const remote of Object.keys(page.subscribers)) {
      const old = page.frameWatch[remote];
      page.frameWatch[remote] = { frames: old ? old.frames : -1, changedAt: started, maxGapMs: 0 };
    }
    if (page.frameWatchRunning) {
      return;
    }
    page.frameWatchRunning = true;
    const sample = async () => {
      for (const remote of Object.keys(page.frameWatch)) {
        const w = page.frameWatch[remote];
        try {
          const stats = await window.tesseraStats(page.subscriberPc(remote));
          const now = Date.now();
          if (stats.videoFramesDecoded !== w.frames) {
            const gap = now - w.changedAt;
            if (w.frames >= 0 && gap > w.maxGapMs) {
              w.maxGapMs = gap;
            }
            w.frames = stats.videoFramesDecoded;
            w.changedAt = now;
          }
        } catch (noPcYet) {
          // counted as not rising
        }
      }
      setTimeout(sample, 50);
    };
    setTimeout(sample, 50);
  },

  // The longest stall per remote so far, the ongoing one included.
  frameGaps() {
    const now = Date.now();
    const gaps = {};
    for (const [remote, w] of Object.entries(page.frameWatch)) {
      gaps[remote] = { maxGapMs: Math.max(w.maxGapMs, now - w.changedAt), frames: w.frames };
    }
    return gaps;
  },

  async signal(data) {
    await page.session.signal({ data, to: [] });
  },

  tap() {
    return window.wsTap;
  },

  // Publisher.publishAudio / publishVideo: openvidu-browser sends streamPropertyChanged for each change.
  publishAudio(enabled) {
    page.publisher.publishAudio(enabled);
  },

  async publishVideo(enabled) {
    await page.publisher.publishVideo(enabled);
  },

  // What openvidu-browser believes of a remote connection's stream (updated by streamPropertyChanged).
  remoteStream(remote) {
    const stream = page.subscribers[remote].stream;
    return { audioActive: stream.audioActive, videoActive: stream.videoActive };
  },

  async unpublish() {
    await page.session.unpublish(page.publisher);
    page.publisher = null;
  },

  async leave() {
    await page.session.disconnect();
  },

  report() {
    return { events: page.events, errors: page.errors, slow: page.slow, firstFrame: page.firstFrame };
  }
};
window.addEventListener('error', e => page.errors.push('error: ' + e.message));
window.addEventListener('unhandledrejection', e => page.errors.push('unhandled rejection: ' + (e.reason && e.reason.stack || e.reason)));
