package io.tessera.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Looks for secrets in node logs: the literal values a test knows (the cluster secret, its Basic header, any
 * token or resume secret it handled) and anything with the shape of a token or a resume secret.
 * <ul>
 *   <li>tokens: {@code tok_} and 24 letters or digits (master-node {@code Ids.token()});</li>
 *   <li>resume secrets: 24 random bytes in unpadded base64url, i.e. exactly 32 of {@code [A-Za-z0-9_-]} standing
 *       alone (media-node {@code Session.newSecret()}). Ids, class names and actor paths never have that shape with
 *       upper case, lower case and a digit all in it; a random secret lacks one of them in under 0.5% of cases,
 *       which the literal check covers for the secrets a test saw.</li>
 * </ul>
 * Findings name the file and line and show the line with the match masked, so a report never spreads the secret.
 */
final class NodeLogScan {
    static final Pattern TOKEN = Pattern.compile("tok_[A-Za-z0-9]{24}");
    static final Pattern RESUME_SECRET = Pattern.compile("(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])");
    private static final int MAX_FINDINGS = 20;

    private NodeLogScan() {
    }

    /** Every finding in these logs (missing files are skipped: a node that never started wrote nothing). */
    static List<String> findings(Collection<Path> logs, Collection<String> literals) {
        List<String> found = new ArrayList<>();
        for (Path log : logs) {
            if (!Files.isRegularFile(log)) {
                continue;
            }
            try (BufferedReader in = Files.newBufferedReader(log, StandardCharsets.UTF_8)) {
                String line;
                int number = 0;
                while ((line = in.readLine()) != null && found.size() < MAX_FINDINGS) {
                    number++;
                    String what = leak(line, literals);
                    if (what != null) {
                        found.add(log.getFileName() + ":" + number + " " + what + ": " + mask(line, literals));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot scan " + log, e);
            }
        }
        return found;
    }

    /** What kind of secret the line holds, or null. */
    static String leak(String line, Collection<String> literals) {
        for (String literal : literals) {
            if (literal != null && !literal.isEmpty() && line.contains(literal)) {
                return "a secret the test knows";
            }
        }
        if (TOKEN.matcher(line).find()) {
            return "a token";
        }
        Matcher m = RESUME_SECRET.matcher(line);
        while (m.find()) {
            if (looksRandom(m.group())) {
                return "a resume secret";
            }
        }
        return null;
    }

    private static boolean looksRandom(String s) {
        return s.chars().anyMatch(Character::isUpperCase) && s.chars().anyMatch(Character::isLowerCase)
                && s.chars().anyMatch(Character::isDigit);
    }

    private static String mask(String line, Collection<String> literals) {
        String masked = line;
        for (String literal : literals) {
            if (literal != null && !literal.isEmpty()) {
                masked = masked.replace(literal, "<SECRET>");
            }
        }
        masked = TOKEN.matcher(masked).replaceAll("tok_<MASKED>");
        masked = RESUME_SECRET.matcher(masked).replaceAll(r -> looksRandom(r.group()) ? "<MASKED32>" : r.group());
        return masked.length() > 400 ? masked.substring(0, 400) + "..." : masked;
    }
}
