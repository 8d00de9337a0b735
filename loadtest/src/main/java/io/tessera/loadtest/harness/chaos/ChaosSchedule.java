package io.tessera.loadtest.harness.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A list of faults in time order, parsed from {@code verb:node@time[+hold],...}, for example
 * {@code kill:master-2@20s,freeze:master-3@40s+12s,restart:media-1@60s}. Times are {@code 1500ms}, {@code 20s},
 * {@code 1.5s} or {@code 2m}, relative to the start of the load. Network faults: {@code partition:master-3@20s},
 * {@code cut:master-1->master-2@30s} (one way) and {@code heal@40s} (every link; no node).
 */
public record ChaosSchedule(List<ChaosAction> actions) {
    /** Bounded: a schedule is written by hand. */
    public static final int MAX_ACTIONS = 100;
    private static final Pattern ACTION =
            Pattern.compile("(?<verb>[a-z]+)(?::(?<node>[^@\\s]+))?@(?<at>[0-9.]+(?:ms|s|m))(?:\\+(?<hold>[0-9.]+(?:ms|s|m)))?");
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m)");

    public ChaosSchedule {
        actions = actions.stream().sorted(Comparator.comparing(ChaosAction::at)).toList();
        if (actions.size() > MAX_ACTIONS) {
            throw new IllegalArgumentException("at most " + MAX_ACTIONS + " chaos actions, got " + actions.size());
        }
    }

    public static ChaosSchedule none() {
        return new ChaosSchedule(List.of());
    }

    /** Parses a schedule; null or blank is the empty schedule. Errors name the offending item. */
    public static ChaosSchedule parse(String text) {
        if (text == null || text.isBlank()) {
            return none();
        }
        List<ChaosAction> actions = new ArrayList<>();
        for (String raw : text.split(",")) {
            String item = raw.trim();
            Matcher m = ACTION.matcher(item);
            if (!m.matches()) {
                throw new IllegalArgumentException("bad chaos item '" + item
                        + "': expected verb:node@time[+hold], e.g. kill:master-2@20s, freeze:master-3@40s+12s, "
                        + "partition:master-3@20s, cut:master-1->master-2@30s or heal@40s");
            }
            ChaosAction.Verb verb;
            try {
                verb = ChaosAction.Verb.valueOf(m.group("verb").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown chaos verb '" + m.group("verb") + "' in '" + item
                        + "': one of kill, freeze, thaw, restart, partition, cut, heal");
            }
            Optional<Duration> hold = Optional.ofNullable(m.group("hold")).map(ChaosSchedule::duration);
            String node = m.group("node");
            if (node == null && verb != ChaosAction.Verb.HEAL) {
                throw new IllegalArgumentException("chaos item '" + item + "' names no node: " + verb.word()
                        + ":<node>@<time>");
            }
            actions.add(new ChaosAction(verb, node == null ? ChaosAction.ALL_LINKS : node, duration(m.group("at")),
                    hold));
        }
        return new ChaosSchedule(actions);
    }

    /** {@code 250ms}, {@code 20s}, {@code 1.5s}, {@code 2m}. */
    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("bad duration '" + text + "': use e.g. 500ms, 20s, 1.5s or 2m");
        }
        double value = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "ms" -> value;
            case "s" -> value * 1000;
            default -> value * 60_000;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /** True when some fault cuts or heals links: the cluster must run behind the partition proxy. */
    public boolean needsPartitionProxy() {
        return actions.stream().anyMatch(a -> a.verb().isNetwork());
    }

    /** When the last action (or its thaw) happens: the run must last at least this long. */
    public Duration end() {
        return actions.stream().map(a -> a.at().plus(a.hold().orElse(Duration.ZERO)))
                .max(Comparator.naturalOrder()).orElse(Duration.ZERO);
    }

    @Override
    public String toString() {
        return String.join(",", actions.stream().map(ChaosAction::toString).toList());
    }
}
