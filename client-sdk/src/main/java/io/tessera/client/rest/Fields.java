package io.tessera.client.rest;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Reading the master's JSON answers: the fields a view cannot do without are required (an answer without them is
 * not what this client understands: {@link IllegalArgumentException}, turned into an {@code IOException} that names
 * the call); counters and the rest default, so that a master with more or fewer fields still reads.
 */
final class Fields {
    private Fields() {
    }

    static String text(JsonNode node, String field) {
        return required(node, field, JsonNode::isTextual, "string").asText();
    }

    /** The string, or null when absent or JSON null. */
    static String optionalText(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : null;
    }

    static int number(JsonNode node, String field) {
        return required(node, field, JsonNode::isNumber, "number").asInt();
    }

    static JsonNode object(JsonNode node, String field) {
        return required(node, field, JsonNode::isObject, "object");
    }

    private static JsonNode required(JsonNode node, String field, Predicate<JsonNode> kind, String kindName) {
        JsonNode value = node.path(field);
        if (!kind.test(value)) {
            throw new IllegalArgumentException("no " + kindName + " '" + field + "'");
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
