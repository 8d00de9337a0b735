// A bare WebRTC peer for the engine test: the test relays its offer/answer and ICE candidates to Janus itself
// (no OpenVidu signalling involved). One RTCPeerConnection per page, as page.pc.
window.page = {
  pc: null,
  candidates: [],
  gatheringDone: false,

  newPeerConnection() {
    const pc = new RTCPeerConnection({ iceServers: [] });
    pc.onicecandidate = event => {
      if (event.candidate && event.candidate.candidate) {
        page.candidates.push({
          candidate: event.candidate.candidate,
          sdpMid: event.candidate.sdpMid,
          sdpMLineIndex: event.candidate.sdpMLineIndex
        });
      } else if (!event.candidate) {
        page.gatheringDone = true;
      }
    };
    page.pc = pc;
    return pc;
  },

  // Publishes the fake camera and microphone in one PeerConnection; resolves to the offer's SDP.
  async publish() {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    const pc = page.newPeerConnection();
    stream.getTracks().forEach(track => pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] }));
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    return pc.localDescription.sdp;
  },

  async acceptAnswer(sdp) {
    await page.pc.setRemoteDescription({ type: 'answer', sdp: sdp });
    return true;
  },

  // Takes the server's offer (Janus offers to subscribers) and resolves to the answer's SDP.
  async subscribe(offerSdp) {
    const pc = page.newPeerConnection();
    pc.ontrack = event => {
      const video = document.getElementById('remote');
      if (event.track.kind === 'video') {
        video.srcObject = event.streams[0] || new MediaStream([event.track]);
      }
    };
    await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    return pc.localDescription.sdp;
  },

  // The candidates gathered since the last call, and whether gathering has ended.
  async takeCandidates() {
    const taken = page.candidates;
    page.candidates = [];
    return { candidates: taken, done: page.gatheringDone };
  },

  async close() {
    if (page.pc) {
      page.pc.close();
      page.pc = null;
    }
    return true;
  }
};
