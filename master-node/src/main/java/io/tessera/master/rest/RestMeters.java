package io.tessera.master.rest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Counts the REST API's answers by status class (2xx, 4xx...): no path or id labels, so the series stay few. */
public final class RestMeters extends AllDirectives {
    private final Counter[] byClass = new Counter[6];

    public RestMeters(MeterRegistry registry) {
        for (int c = 1; c <= 5; c++) {
            byClass[c] = Counter.builder("tessera.master.rest.requests")
                    .description("REST API answers, by status class").tag("status", c + "xx").register(registry);
        }
    }

    /** The route, with every response it produces counted (errors included: the REST route renders them itself). */
    public Route counted(Route rest) {
        return mapResponse(response -> {
            int statusClass = response.status().intValue() / 100;
            if (statusClass >= 1 && statusClass <= 5) {
                byClass[statusClass].increment();
            }
            return response;
        }, () -> rest);
    }
}
