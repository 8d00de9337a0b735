package io.tessera.aws.cdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the app the way the cdk CLI does, after {@code package}: the {@code java} command of cdk.json's "app" in the
 * directory of cdk.json (so its class path, {@code target/tessera-aws-cdk.jar:target/lib/*}, is the one under test,
 * not the test class path), with the context of cdk.json merged with {@code -c} values in {@code CDK_CONTEXT_JSON}
 * and the output directory in {@code CDK_OUTDIR}. The stack tests cannot catch a jar missing from
 * {@code target/lib}: their class path has every test dependency.
 */
class CdkJsonAppIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODULE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private static final long TIMEOUT_MINUTES = 5;
    /** Kept after the build: .ci/run lints this template with cfn-lint where that is installed. */
    static final Path KEPT_OUTPUT = MODULE.resolve("target/cdk-it.out");

    @TempDir
    Path work;

    @Test
    void theAppOfCdkJsonWritesTheTemplateWithCdkJsonContextOverriddenByCommandLineContext() throws Exception {
        Run run = synth(Map.of("artifactBucket", "tessera-artifacts", "secretParameter", "/tessera/secret",
                "mediaMax", "7"), KEPT_OUTPUT);

        assertEquals(0, run.exitCode, "the app failed:\n" + run.stderr);
        assertFalse(run.stderr.contains("is deprecated"), "the app uses a deprecated API:\n" + run.stderr);
        JsonNode manifest = JSON.readTree(run.outDir.resolve("manifest.json").toFile());
        assertTrue(manifest.path("artifacts").has("tessera"), "stack 'tessera' (cdk.json stackName): " + manifest);
        Path templateFile = run.outDir.resolve("tessera.template.json");
        assertTrue(Files.isRegularFile(templateFile), "no template in " + run.outDir);
        JsonNode resources = JSON.readTree(templateFile.toFile()).path("Resources");
        assertTrue(resources.has("CDKMetadata"), "the CLI's default context (version reporting) reached the app");

        List<String> groupSizes = new ArrayList<>();
        resources.forEach(r -> {
            if (r.path("Type").asText().equals("AWS::AutoScaling::AutoScalingGroup")) {
                groupSizes.add(r.path("Properties").path("MinSize").asText() + "-" + r.path("Properties").path("MaxSize").asText());
            }
        });
        // masters 3-5 and media 2 from cdk.json's context, media 7 from the command line
        assertEquals(List.of("2-7", "3-5"), groupSizes.stream().sorted().toList());
        String whole = resources.toString();
        assertTrue(whole.contains("s3://tessera-artifacts/tessera/tessera-aws-dist.tar.gz"), "artifact from context: " + whole);
        assertTrue(whole.contains("--name '/tessera/secret'"), "secret parameter from context");
    }

    @Test
    void theAppExitsWithTheMissingContextNamedWhenArtifactBucketIsNotGiven() throws Exception {
        Run run = synth(Map.of("secretParameter", "/tessera/secret"), work.resolve("cdk.out"));

        assertEquals(1, run.exitCode, "stderr:\n" + run.stderr);
        assertTrue(run.stderr.contains("missing context (cdk deploy -c key=value): artifactBucket"), run.stderr);
        assertFalse(Files.exists(run.outDir.resolve("tessera.template.json")));
    }

    private record Run(int exitCode, String stderr, Path outDir) {
    }

    private Run synth(Map<String, String> commandLineContext, Path outDir) throws IOException, InterruptedException {
        JsonNode cdkJson = JSON.readTree(MODULE.resolve("cdk.json").toFile());
        // what the CLI adds by default (cdk.json's "versionReporting", "pathMetadata"... unset), then cdk.json, then -c
        ObjectNode context = JSON.createObjectNode()
                .put("aws:cdk:enable-path-metadata", true)
                .put("aws:cdk:enable-asset-metadata", true)
                .put("aws:cdk:version-reporting", true);
        context.putArray("aws:cdk:bundling-stacks").add("**");
        context.setAll((ObjectNode) cdkJson.path("context"));
        commandLineContext.forEach(context::put);
        deleteRecursively(outDir);
        Files.createDirectories(outDir);
        Path stdout = work.resolve("stdout");
        Path stderr = work.resolve("stderr");

        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", javaCommandOf(cdkJson.path("app").asText()))
                .directory(MODULE.toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        Map<String, String> env = builder.environment();
        env.put("CDK_CONTEXT_JSON", JSON.writeValueAsString(context));
        env.put("CDK_OUTDIR", outDir.toString());
        // the JVM running the build answers to "java"
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + env.getOrDefault("PATH", ""));
        env.remove("CDK_DEFAULT_ACCOUNT");
        env.remove("CDK_DEFAULT_REGION");

        Process process = builder.start();
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            fail("the app did not finish within " + TIMEOUT_MINUTES + " minutes:\n" + Files.readString(stderr));
        }
        return new Run(process.exitValue(), Files.readString(stderr), outDir);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /**
     * cdk.json's app builds the jars first ({@code mvn ... package && java ...}); the build has just done that,
     * so only the last step, the {@code java} command, runs here.
     */
    private static String javaCommandOf(String app) {
        String[] steps = app.split("&&");
        String java = steps[steps.length - 1].trim();
        assertTrue(java.startsWith("java "), "cdk.json's app should end with the java command: " + app);
        return java;
    }
}
