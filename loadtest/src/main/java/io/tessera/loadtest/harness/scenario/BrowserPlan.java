package io.tessera.loadtest.harness.scenario;

import java.util.Locale;

/**
 * The real browsers of a run ({@code --clients chromium:N}): {@code count} headless Chromium pages with the unmodified
 * openvidu-browser, in sessions of two, optionally with the tessera-browser add-on.
 */
public record BrowserPlan(int count, boolean addon) {
    /** Two cores carry a handful of Chromium processes beside a cluster; each page is a browser of its own. */
    public static final int MAX_BROWSERS = 8;
    public static final BrowserPlan NONE = new BrowserPlan(0, false);

    public BrowserPlan {
        if (count < 0 || count > MAX_BROWSERS) {
            throw new IllegalArgumentException("chromium clients must be 0.." + MAX_BROWSERS + ", got " + count);
        }
        if (count == 1) {
            throw new IllegalArgumentException("chromium clients come in sessions of two (each page watches the other's "
                    + "video): ask for 2.." + MAX_BROWSERS);
        }
    }

    /**
     * {@code --clients}: empty or {@code sdk} for none (the synthetic clients always run), {@code chromium:N} for N
     * browsers.
     */
    public static BrowserPlan parse(String spec, boolean addon) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("sdk")) {
            return NONE;
        }
        if (!s.startsWith("chromium:")) {
            throw new IllegalArgumentException("--clients takes chromium:N (N browsers beside the synthetic clients), got '"
                    + spec + "'");
        }
        try {
            return new BrowserPlan(Integer.parseInt(s.substring("chromium:".length())), addon);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--clients chromium:N needs a number N, got '" + spec + "'");
        }
    }

    /** The session page {@code index} joins: pairs, the last one taking a third page when {@code count} is odd. */
    public int sessionOf(int index) {
        return Math.min(index / 2, count / 2 - 1);
    }

    public int sessions() {
        return count / 2;
    }
}
