/**
 * SDP, written once. Two layers: a dialect-free model and its strict, bounded reader ({@link
 * io.tessera.wire.sdp.SessionDescription}, {@link io.tessera.wire.sdp.MediaSection}, {@link io.tessera.wire.sdp.SdpLine},
 * {@link io.tessera.wire.sdp.SdpWriter}, {@link io.tessera.wire.sdp.SdpException}), and the dialects on top: plain RTP
 * ({@link io.tessera.wire.sdp.PlainRtpOffer} written by clients and read by the media node, {@link
 * io.tessera.wire.sdp.PlainRtpAnswer} the other way). A WebRTC dialect (several m= lines, ICE credentials and
 * candidates, DTLS fingerprints, BUNDLE) reads the same model in classes of its own beside these.
 */
package io.tessera.wire.sdp;
