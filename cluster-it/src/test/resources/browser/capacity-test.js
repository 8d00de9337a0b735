// A lightweight WebRTC client for the 1:N capacity benchmark (WebRtcCapacityBenchmark): one page holds the publisher
// and every subscriber, each its own participant with its own WebSocket speaking the OpenVidu JSON-RPC (joinRoom,
// publishVideo, prepareReceiveVideoFrom/receiveVideoFrom, ping) straight to a master, without openvidu-browser and
// without rendering: no <video> element, so the page pays for decoding but not for painting.
//
// The publisher sends a canvas whose top rows are noise (which no encoder can squeeze) and the rest flat, so that its
// video bitrate sits at the RTCRtpSender's maxBitrate (500 kbit/s) rather than at whatever a nearly still fake camera
// needs; a frame of noise all over would not fit 500 kbit/s at 15 fps, and the encoder would drop frames instead.
window.capacity = {
  publisher: null,   // {rpc, pc, streamId, connectionId}
  subscribers: [],   // {rpc, pc}
  errors: [],

  // A participant's socket: call(method, params) resolves to the result, rejects with the JSON-RPC error.
  // Pings every 5 s as openvidu-browser does, since the master cuts sockets that stay silent.
  open(url) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const pending = new Map();
      let nextId = 1;
      const rpc = {
        ws,
        call(method, params) {
          const id = nextId++;
          return new Promise((done, fail) => {
            pending.set(id, { done, fail, method });
            ws.send(JSON.stringify({ jsonrpc: '2.0', method, params: params || {}, id }));
          });
        },
        close() {
          clearInterval(rpc.pinger);
          ws.close();
        }
      };
      ws.onopen = () => {
        rpc.pinger = setInterval(() => rpc.call('ping', { interval: 5000 }).catch(() => {}), 5000);
        resolve(rpc);
      };
      ws.onerror = () => reject(new Error('cannot open ' + url));
      ws.onclose = e => {
        clearInterval(rpc.pinger);
        pending.forEach(p => p.fail(new Error(p.method + ': socket closed ' + e.code)));
        pending.clear();
      };
      ws.onmessage = e => {
        const msg = JSON.parse(e.data);
        if (msg.id === undefined || msg.id === null || !pending.has(msg.id)) {
          return; // a notification: nothing here needs one
        }
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) {
          p.fail(new Error(p.method + ': ' + msg.error.code + ' ' + msg.error.message));
        } else {
          p.done(msg.result);
        }
      };
    });
  },

  async join(url, token, session) {
    const rpc = await capacity.open(url);
    const joined = await rpc.call('joinRoom', { token, session, metadata: '', platform: 'capacity-benchmark' });
    return { rpc, connectionId: joined.id };
  },

  // Waits until the PeerConnection has gathered its candidates (all of them go in the SDP: the media node accepts a
  // non-trickling peer), at most 3 s.
  gathered(pc) {
    if (pc.iceGatheringState === 'complete') {
      return Promise.resolve();
    }
    return new Promise(resolve => {
      const timer = setTimeout(resolve, 3000);
      pc.addEventListener('icegatheringstatechange', () => {
        if (pc.iceGatheringState === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  },

  noiseTrack(width, height, fps, noiseShare) {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    const image = ctx.createImageData(width, height);
    const pixels = new Uint32Array(image.data.buffer);
    pixels.fill(0xff808080);
    const noisy = Math.round(pixels.length * noiseShare);
    let s = 0x2545f491;
    capacity.painter = setInterval(() => {
      for (let i = 0; i < noisy; i++) {
        s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
        pixels[i] = (s & 0x00ffffff) | 0xff000000;
      }
      ctx.putImageData(image, 0, 0);
    }, 1000 / fps);
    return canvas.captureStream(fps).getVideoTracks()[0];
  },

  // Joins, publishes a video-only stream (noiseShare of its pixels noise) capped at maxBitrate; resolves to
  // {connectionId, streamId}.
  async publish(url, token, session, maxBitrate, width, height, fps, noiseShare) {
    const { rpc, connectionId } = await capacity.join(url, token, session);
    const track = capacity.noiseTrack(width, height, fps, noiseShare);
    const pc = new RTCPeerConnection({ iceServers: [] });
    const transceiver = pc.addTransceiver(track, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await capacity.gathered(pc);
    const published = await rpc.call('publishVideo', {
      sdpOffer: pc.localDescription.sdp, doLoopback: false, hasAudio: false, hasVideo: true, audioActive: false,
      videoActive: true, typeOfVideo: 'CUSTOM', frameRate: fps,
      videoDimensions: JSON.stringify({ width, height })
    });
    await pc.setRemoteDescription({ type: 'answer', sdp: published.sdpAnswer });
    const parameters = transceiver.sender.getParameters();
    parameters.encodings = parameters.encodings && parameters.encodings.length ? parameters.encodings : [{}];
    parameters.encodings[0].maxBitrate = maxBitrate;
    parameters.degradationPreference = 'maintain-resolution';
    await transceiver.sender.setParameters(parameters);
    capacity.publisher = { rpc, pc, streamId: published.id, connectionId };
    return { connectionId, streamId: published.id };
  },

  // One more subscriber of streamId per token, `parallel` of them at a time; resolves to how many there are now.
  async subscribe(url, tokens, session, streamId, parallel) {
    const queue = tokens.slice();
    const worker = async () => {
      while (queue.length) {
        const token = queue.shift();
        const { rpc } = await capacity.join(url, token, session);
        const pc = new RTCPeerConnection({ iceServers: [] });
        capacity.subscribers.push({ rpc, pc });
        const prepared = await rpc.call('prepareReceiveVideoFrom', { sender: streamId, reconnect: false });
        await pc.setRemoteDescription({ type: 'offer', sdp: prepared.sdpOffer });
        await pc.setLocalDescription(await pc.createAnswer());
        await capacity.gathered(pc);
        await rpc.call('receiveVideoFrom', { sender: streamId, sdpAnswer: pc.localDescription.sdp });
      }
    };
    const workers = [];
    for (let i = 0; i < parallel; i++) {
      workers.push(worker());
    }
    await Promise.all(workers);
    return capacity.subscribers.length;
  },

  // The counters the benchmark turns into rates and loss: the publisher's outbound-rtp video and, per subscriber,
  // its inbound-rtp video.
  async sample() {
    const at = performance.now();
    const out = { at, publisher: {}, subscribers: [] };
    if (capacity.publisher) {
      (await capacity.publisher.pc.getStats()).forEach(e => {
        if (e.type === 'outbound-rtp' && e.kind === 'video') {
          out.publisher = { bytesSent: e.bytesSent || 0, packetsSent: e.packetsSent || 0,
            framesEncoded: e.framesEncoded || 0, width: e.frameWidth || 0, height: e.frameHeight || 0,
            limitation: e.qualityLimitationReason || '' };
        }
      });
    }
    for (const s of capacity.subscribers) {
      const entry = { packetsReceived: 0, packetsLost: 0, bytesReceived: 0, framesDecoded: 0, nackCount: 0,
        iceState: s.pc.iceConnectionState };
      (await s.pc.getStats()).forEach(e => {
        if (e.type === 'inbound-rtp' && e.kind === 'video') {
          entry.packetsReceived = e.packetsReceived || 0;
          entry.packetsLost = e.packetsLost || 0;
          entry.bytesReceived = e.bytesReceived || 0;
          entry.framesDecoded = e.framesDecoded || 0;
          entry.nackCount = e.nackCount || 0;
        }
      });
      out.subscribers.push(entry);
    }
    return out;
  },

  // Everyone leaves at once (one by one, 160 subscribers would outlast the driver's script timeout).
  async closeAll() {
    await Promise.all(capacity.subscribers.map(async s => {
      await s.rpc.call('leaveRoom', {}).catch(() => {});
      s.pc.close();
      s.rpc.close();
    }));
    capacity.subscribers = [];
    if (capacity.publisher) {
      await capacity.publisher.rpc.call('leaveRoom', {}).catch(() => {});
      capacity.publisher.pc.close();
      capacity.publisher.rpc.close();
      capacity.publisher = null;
    }
    clearInterval(capacity.painter);
    return true;
  }
};
