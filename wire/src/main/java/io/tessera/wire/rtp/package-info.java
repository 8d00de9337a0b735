/** RTP and RTCP packet views: read and written in place on a ByteBuffer, by the media node and the client SDK alike. */
package io.tessera.wire.rtp;
