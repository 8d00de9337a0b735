/**
 * The one REST client of a Tessera master ({@link io.tessera.client.rest.MasterRestClient}): sessions, connections,
 * signals, media nodes, the cluster view and health, as typed calls, plus a raw {@code send} for anything else. JDK
 * {@code HttpClient} and Jackson only, so the load test, the AWS scale-in handler and metric publisher and the
 * cluster tests all use it.
 */
package io.tessera.client.rest;
