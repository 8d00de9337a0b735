/** Log safety shared by every Tessera process: the log format choice and the loggable forms of untrusted values. */
package io.tessera.wire.log;
