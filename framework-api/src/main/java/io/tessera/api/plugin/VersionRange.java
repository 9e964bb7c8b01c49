package io.tessera.api.plugin;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A version interval in OSGi/Maven notation: {@code [1.0,2.0)} (1.0 inclusive to 2.0 exclusive), {@code (1.0,2.0]},
 * {@code [1.0,)} (at least 1.0), {@code [1.2.3]} (exactly 1.2.3). A bare version {@code 1.0} means "1.0 or newer", as
 * in OSGi.
 *
 * @param lower          the lower bound
 * @param lowerInclusive whether the lower bound is part of the range
 * @param upper          the upper bound, {@code null} for none
 * @param upperInclusive whether the upper bound is part of the range (false when there is none)
 */
@API(status = API.Status.STABLE, since = "1.0")
public record VersionRange(Version lower, boolean lowerInclusive, Version upper, boolean upperInclusive) {

    /** Every version: {@code [0.0.0,)}. */
    public static final VersionRange ANY = new VersionRange(Version.of(0, 0, 0), true, null, false);

    public VersionRange {
        Objects.requireNonNull(lower, "lower");
        if (upper == null) {
            upperInclusive = false;
        } else {
            int c = lower.compareTo(upper);
            if (c > 0 || (c == 0 && !(lowerInclusive && upperInclusive))) {
                throw new IllegalArgumentException("empty version range: lower bound " + lower
                        + " is not below upper bound " + upper);
            }
        }
    }

    /** The range {@code [lower,upper)}. */
    public static VersionRange between(Version lower, Version upper) {
        return new VersionRange(lower, true, upper, false);
    }

    /**
     * Parses a range.
     *
     * @throws IllegalArgumentException saying what is wrong and how a range is written
     */
    public static VersionRange parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.trim();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1).trim();
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty version range; write e.g. [1.0,2.0)");
        }
        char first = s.charAt(0);
        if (first != '[' && first != '(') {
            try {
                return new VersionRange(Version.parse(s), true, null, false);
            } catch (IllegalArgumentException e) {
                throw invalid(text, e);
            }
        }
        char last = s.charAt(s.length() - 1);
        if (last != ']' && last != ')') {
            throw invalid(text, null);
        }
        String body = s.substring(1, s.length() - 1);
        int comma = body.indexOf(',');
        try {
            if (comma < 0) {
                if (first != '[' || last != ']') {
                    throw invalid(text, null);
                }
                Version exact = Version.parse(body);
                return new VersionRange(exact, true, exact, true);
            }
            String lo = body.substring(0, comma).trim();
            String hi = body.substring(comma + 1).trim();
            Version lower = lo.isEmpty() ? Version.of(0, 0, 0) : Version.parse(lo);
            Version upper = hi.isEmpty() ? null : Version.parse(hi);
            return new VersionRange(lower, first == '[' || lo.isEmpty(), upper, upper != null && last == ']');
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && (e.getMessage().startsWith("'" + text + "'")
                    || e.getMessage().startsWith("empty version range"))) {
                throw e;
            }
            throw invalid(text, e);
        }
    }

    /** Whether {@code version} lies in this range. */
    public boolean includes(Version version) {
        int lo = version.compareTo(lower);
        if (lo < 0 || (lo == 0 && !lowerInclusive)) {
            return false;
        }
        if (upper == null) {
            return true;
        }
        int hi = version.compareTo(upper);
        return hi < 0 || (hi == 0 && upperInclusive);
    }

    @Override
    public String toString() {
        if (upper != null && lowerInclusive && upperInclusive && lower.sameAs(upper)) {
            return "[" + lower + "]";
        }
        return (lowerInclusive ? "[" : "(") + shortForm(lower) + "," + (upper == null ? "" : shortForm(upper))
                + (upperInclusive ? "]" : ")");
    }

    // print [1.0,2.0) rather than [1.0.0,2.0.0) when the patch is zero, as people write it
    private static String shortForm(Version v) {
        if (v.patch() == 0 && v.preRelease().isEmpty() && v.build().isEmpty()) {
            return v.major() + "." + v.minor();
        }
        return v.toString();
    }

    /** For messages: {@code any version} for {@link #ANY}, otherwise the range as written. */
    public String describe() {
        return equals(ANY) ? "any version" : toString();
    }

    private static IllegalArgumentException invalid(String text, Throwable cause) {
        return new IllegalArgumentException("'" + text + "' is not a version range; write [1.0,2.0) for 1.0 up to "
                + "but excluding 2.0, [1.0,) for 1.0 or newer, or [1.2.3] for exactly 1.2.3; to accept any version, "
                + "leave the version attribute out", cause);
    }
}
