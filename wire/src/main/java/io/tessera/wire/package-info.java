/**
 * The formats Tessera speaks on the wire, each written once: OpenVidu 2 JSON-RPC messages and their error codes, SDP
 * offers and answers, RTP/RTCP packet views, ids, and the log-safety helpers that keep untrusted text out of logs.
 *
 * <p>Pekko-free on purpose: the client SDK, the load test and the AWS tools use it without an actor system.
 */
package io.tessera.wire;
