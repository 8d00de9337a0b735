package io.tessera.loadtest.harness.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The report's charts, drawn by the console's charting library (uPlot, built by the {@code console} module into
 * {@code tessera-report/} on the class path). The library and its style sheet are inlined into the page, and each
 * chart is a container holding its data as JSON, so the report stays one self-contained file that opens offline.
 * Charts zoom by dragging (double-click resets) and show the values under the cursor.
 */
final class Charts {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SCRIPT = "tessera-report/report-charts.js";
    private static final String STYLE = "tessera-report/report-charts.css";

    /** A named series of (x, y) points drawn as a line. */
    record Series(String name, String color, List<double[]> points) {
    }

    /** A vertical marker (a fault instant). */
    record Marker(double x, String label) {
    }

    private Charts() {
    }

    /** For the page's head: the library's style sheet. */
    static String style() {
        return "<style>" + resource(STYLE) + ".tessera-chart{margin:1em 0}</style>";
    }

    /** For the end of the body: the library, then one call that draws every chart container above it. */
    static String script() {
        // "</script" cannot occur in the minified library except inside strings; escape it anyway.
        return "<script>" + resource(SCRIPT).replace("</script", "<\\/script")
                + "\nTesseraReportCharts.renderAll();</script>";
    }

    static String lines(String title, String xLabel, String yLabel, List<Series> series, List<Marker> markers,
                        double xMax) {
        ObjectNode spec = MAPPER.createObjectNode().put("type", "lines").put("title", title).put("xLabel", xLabel)
                .put("yLabel", yLabel).put("xMax", Math.max(1, xMax));
        ArrayNode list = spec.putArray("series");
        for (Series s : series) {
            ArrayNode points = list.addObject().put("name", s.name()).put("color", s.color()).putArray("points");
            s.points().forEach(p -> points.addArray().add(p[0]).add(p[1]));
        }
        ArrayNode marks = spec.putArray("markers");
        markers.forEach(m -> marks.addObject().put("x", m.x()).put("label", m.label()));
        return container(spec);
    }

    /** A histogram of values into {@code bins} equal bins. */
    static String histogram(String title, String xLabel, List<Double> values, int bins, String color) {
        ObjectNode spec = MAPPER.createObjectNode().put("type", "histogram").put("title", title)
                .put("xLabel", xLabel).put("bins", bins).put("color", color);
        ArrayNode list = spec.putArray("values");
        values.forEach(list::add);
        return container(spec);
    }

    private static String container(ObjectNode spec) {
        // JSON inside a script element: "</" must not end it early (titles and node names are data).
        String json = spec.toString().replace("</", "<\\/");
        return "<div class='tessera-chart'><script type='application/json'>" + json + "</script></div>";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
                .replace("\"", "&quot;");
    }

    private static String resource(String name) {
        try (InputStream in = Charts.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the class path: the report's charts come from the"
                        + " tessera-console module (build it with Maven: it runs npm)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
