package io.tessera.loadtest.harness.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command per fault: {@code bin/cluster <verb> <node>} for a local cluster, or a hook template
 * such as {@code ssh ops@bastion tessera-chaos {verb} {node}} for a remote one (run with {@code sh -c}). A cut's
 * nodes are two arguments ({@code cut <from> <to>}) and heal has none, for the script and a hook's {@code {node}}.
 */
public final class CommandChaosExecutor implements ChaosExecutor {
    /** A restart waits for readiness in bin/cluster; anything slower is a failure of the fault itself. */
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int MAX_OUTPUT_CHARS = 2000;

    private final List<String> prefix;
    private final String template;

    private CommandChaosExecutor(List<String> prefix, String template) {
        this.prefix = prefix;
        this.template = template;
    }

    /** {@code <script> <verb> <node>}, e.g. the worktree's {@code bin/cluster}. */
    public static CommandChaosExecutor clusterScript(Path script) {
        return new CommandChaosExecutor(List.of(script.toString()), null);
    }

    /** A shell command template with {@code {verb}} and {@code {node}} placeholders. */
    public static CommandChaosExecutor hook(String template) {
        if (!template.contains("{verb}") || !template.contains("{node}")) {
            throw new IllegalArgumentException("the chaos hook must contain {verb} and {node}: " + template);
        }
        return new CommandChaosExecutor(null, template);
    }

    /** The command line for one fault (node names are validated by {@link ChaosAction}: no shell characters). */
    List<String> command(ChaosAction.Verb verb, String node) {
        if (template != null) {
            return List.of("sh", "-c", template.replace("{verb}", verb.word())
                    .replace("{node}", String.join(" ", ChaosAction.arguments(verb, node))));
        }
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(verb.word());
        cmd.addAll(ChaosAction.arguments(verb, node));
        return cmd;
    }

    /**
     * With bin/cluster, a schedule that cuts links is refused before the load starts unless the cluster runs behind
     * the partition proxy ({@code bin/cluster cuts} answers). A hook is trusted to know what it can do.
     */
    @Override
    public void checkCanRun(ChaosSchedule schedule) throws IOException, InterruptedException {
        if (template != null || !schedule.needsPartitionProxy()) {
            return;
        }
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add("cuts");
        Result r = run(cmd);
        if (r.exit() != 0) {
            throw new ChaosRefusedException("--chaos " + schedule + " cuts links, but the local cluster cannot: "
                    + r.output());
        }
    }

    @Override
    public void execute(ChaosAction.Verb verb, String node) throws IOException, InterruptedException {
        List<String> cmd = command(verb, node);
        Result r = run(cmd);
        if (r.exit() != 0) {
            throw new IOException(verb.word() + " " + node + " exited with " + r.exit() + ": " + r.output());
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        // Read while it runs so a chatty command never blocks on a full pipe; keep only the tail.
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": no exit within " + TIMEOUT.toSeconds() + " s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        String tail = text.length() > MAX_OUTPUT_CHARS ? text.substring(text.length() - MAX_OUTPUT_CHARS) : text;
        return new Result(p.exitValue(), tail.strip());
    }
}
