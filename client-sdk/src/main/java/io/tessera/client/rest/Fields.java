package io.tessera.client.rest;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reading the master's JSON answers: the fields a view cannot do without are required (an answer without them is
 * not what this client understands: {@link IllegalArgumentException}, turned into an {@code IOException} that names
 * the call); counters and the rest default, so that a master with more or fewer fields still reads.
 */
final class Fields {
    private Fields() {
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isTextual()) {
            throw new IllegalArgumentException("no string '" + field + "'");
        }
        return value.asText();
    }

    /** The string, or null when absent or JSON null. */
    static String optionalText(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : null;
    }

    static int number(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isNumber()) {
            throw new IllegalArgumentException("no number '" + field + "'");
        }
        return value.asInt();
    }

    static JsonNode object(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isObject()) {
            throw new IllegalArgumentException("no object '" + field + "'");
        }
        return value;
    }

    static <T> List<T> list(JsonNode array, String field, Function<JsonNode, T> item) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("no array '" + field + "'");
        }
        List<T> items = new ArrayList<>(array.size());
        array.forEach(element -> items.add(item.apply(element)));
        return List.copyOf(items);
    }

    /** OpenVidu's page: {@code {"numberOfElements":n,"content":[...]}}. */
    static <T> List<T> page(JsonNode page, Function<JsonNode, T> item) {
        return list(page.path("content"), "content", item);
    }
}
