package io.tessera.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/** Where cluster tests leave what they measured (docs/BENCHMARKS.md quotes these files). */
final class MeasuredResults {
    private MeasuredResults() {
    }

    /** Writes {@code results} to {@code target/benchmarks/<name>.json}. */
    static void write(String name, Map<String, Object> results) throws IOException {
        Path out = Paths.get("target", "benchmarks");
        Files.createDirectories(out);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.resolve(name + ".json").toFile(), results);
    }
}
