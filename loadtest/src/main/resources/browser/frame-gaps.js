// For failure tests: watches the decoded video frames of every subscription of openvidu-test.js's page and keeps each
// stall longer than minGapMs, in wall-clock milliseconds (Date.now(), the clock the test JVM reads too). The peer
// connection is read anew at each sample: a reconnection (reconnectStream) replaces it, and its count starts at 0.
window.frameGaps = {
  minGapMs: 250,
  gaps: {},   // remote connection id -> [{from: last frame before the stall, to: first frame after it}]
  // remote connection id -> [{from: last frame on the old connection, to: first frame on its replacement}], however
  // short: a rebuild that made its new connection before the old one stopped shows no gap, but a switch all the same
  switches: {},
  last: {},   // remote connection id -> {pc, decoded, at: when a frame was last seen decoded}
  frames: 0,  // video frames decoded over every subscription since start() (the load harness charts its rate)
  running: false,

  start() {
    if (frameGaps.running) {
      return;
    }
    frameGaps.running = true;
    const tick = async () => {
      try {
        await frameGaps.sample();
      } finally {
        setTimeout(tick, 50);
      }
    };
    tick();
  },

  async sample() {
    for (const remote of Object.keys(page.subscribers)) {
      const pc = page.subscriberPc(remote);
      if (!pc) {
        continue;
      }
      let decoded;
      try {
        decoded = (await window.tesseraStats(pc)).videoFramesDecoded;
      } catch (closed) {
        continue;
      }
      const now = Date.now();
      const prev = frameGaps.last[remote];
      const rose = !prev || pc !== prev.pc ? decoded > 0 : decoded > prev.decoded;
      if (rose) {
        frameGaps.frames += !prev || pc !== prev.pc ? decoded : decoded - prev.decoded;
        if (prev && now - prev.at > frameGaps.minGapMs) {
          (frameGaps.gaps[remote] = frameGaps.gaps[remote] || []).push({ from: prev.at, to: now });
        }
        if (prev && (pc !== prev.pc || prev.fresh)) {
          (frameGaps.switches[remote] = frameGaps.switches[remote] || []).push({ from: prev.at, to: now });
        }
        frameGaps.last[remote] = { pc, decoded, at: now };
      } else if (prev && pc !== prev.pc) {
        // a new connection without frames yet
        frameGaps.last[remote] = { pc, decoded, at: prev.at, fresh: true };
      }
    }
  },

  report() {
    const lastFrame = {};
    Object.keys(frameGaps.last).forEach(remote => { lastFrame[remote] = frameGaps.last[remote].at; });
    return { gaps: frameGaps.gaps, switches: frameGaps.switches, lastFrame, now: Date.now() };
  }
};
