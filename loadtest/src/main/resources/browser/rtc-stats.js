// Reads what browser tests assert from an RTCPeerConnection's getStats(): media received and sent per kind, and
// the addresses of the selected candidate pair. Loaded by every test page.
window.tesseraStats = async function (pc) {
  const result = {
    videoFramesDecoded: 0, videoPacketsReceived: 0, audioPacketsReceived: 0,
    videoPacketsSent: 0, audioPacketsSent: 0,
    localAddress: '', remoteAddress: '', iceState: pc ? pc.iceConnectionState : 'none'
  };
  if (!pc) {
    return result;
  }
  const report = await pc.getStats();
  let pairId = null;
  report.forEach(entry => {
    if (entry.type === 'inbound-rtp' && entry.kind === 'video') {
      result.videoFramesDecoded += entry.framesDecoded || 0;
      result.videoPacketsReceived += entry.packetsReceived || 0;
    } else if (entry.type === 'inbound-rtp' && entry.kind === 'audio') {
      result.audioPacketsReceived += entry.packetsReceived || 0;
    } else if (entry.type === 'outbound-rtp' && entry.kind === 'video') {
      result.videoPacketsSent += entry.packetsSent || 0;
    } else if (entry.type === 'outbound-rtp' && entry.kind === 'audio') {
      result.audioPacketsSent += entry.packetsSent || 0;
    } else if (entry.type === 'transport' && entry.selectedCandidatePairId) {
      pairId = entry.selectedCandidatePairId;
    }
  });
  if (!pairId) {
    report.forEach(entry => {
      if (entry.type === 'candidate-pair' && entry.nominated && entry.state === 'succeeded') {
        pairId = entry.id;
      }
    });
  }
  const pair = pairId ? report.get(pairId) : null;
  if (pair) {
    const local = report.get(pair.localCandidateId);
    const remote = report.get(pair.remoteCandidateId);
    result.localAddress = local ? (local.address || local.ip || '') : '';
    result.remoteAddress = remote ? (remote.address || remote.ip || '') : '';
  }
  return result;
};
