package io.tessera.api.plugin;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * A semantic version {@code MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]}; minor and patch may be omitted and default to 0
 * ({@code 1.2} is {@code 1.2.0}). Ordering follows semantic versioning: a pre-release sorts before its release
 * ({@code 1.0.0-SNAPSHOT < 1.0.0}); build metadata is kept but ignored when comparing.
 *
 * @param major      the major version
 * @param minor      the minor version
 * @param patch      the patch version
 * @param preRelease the pre-release label, empty for a release
 * @param build      the build metadata, empty if none
 */
@API(status = API.Status.STABLE, since = "1.0")
public record Version(int major, int minor, int patch, String preRelease, String build) implements Comparable<Version> {

    private static final Pattern FORMAT = Pattern.compile(
            "(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:-([0-9A-Za-z.-]+))?(?:\\+([0-9A-Za-z.-]+))?");

    public Version {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("version numbers must not be negative: " + major + "." + minor + "."
                    + patch);
        }
        preRelease = preRelease == null ? "" : preRelease;
        build = build == null ? "" : build;
    }

    /** A release version without labels. */
    public static Version of(int major, int minor, int patch) {
        return new Version(major, minor, patch, "", "");
    }

    /**
     * Parses {@code 1}, {@code 1.2}, {@code 1.2.3}, {@code 1.2.3-rc.1}, {@code 1.2.3+build.5}.
     *
     * @throws IllegalArgumentException if the text is not such a version
     */
    public static Version parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a semantic version; write MAJOR.MINOR.PATCH, "
                    + "e.g. 1.2.0 or 1.2.0-SNAPSHOT");
        }
        try {
            return new Version(Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)),
                    m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), m.group(4), m.group(5));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has a version number too large for an int", e);
        }
    }

    /** Whether this is a pre-release ({@code 1.0.0-SNAPSHOT}, {@code 2.0.0-rc.1}). */
    public boolean isPreRelease() {
        return !preRelease.isEmpty();
    }

    @Override
    public int compareTo(Version other) {
        int c = Integer.compare(major, other.major);
        if (c == 0) {
            c = Integer.compare(minor, other.minor);
        }
        if (c == 0) {
            c = Integer.compare(patch, other.patch);
        }
        if (c == 0) {
            c = comparePreRelease(preRelease, other.preRelease);
        }
        return c;
    }

    /** Semantic equality: ignores build metadata, like {@link #compareTo}. */
    public boolean sameAs(Version other) {
        return compareTo(other) == 0;
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (preRelease.isEmpty() ? "" : "-" + preRelease)
                + (build.isEmpty() ? "" : "+" + build);
    }

    // semver §11: no pre-release > any pre-release; identifiers compared numerically when both are numeric
    private static int comparePreRelease(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        if (a.isEmpty()) {
            return 1;
        }
        if (b.isEmpty()) {
            return -1;
        }
        String[] pa = a.split("\\.");
        String[] pb = b.split("\\.");
        for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
            boolean na = pa[i].chars().allMatch(Character::isDigit);
            boolean nb = pb[i].chars().allMatch(Character::isDigit);
            int c;
            if (na && nb) {
                c = new java.math.BigInteger(pa[i]).compareTo(new java.math.BigInteger(pb[i]));
            } else if (na) {
                c = -1;
            } else if (nb) {
                c = 1;
            } else {
                c = pa[i].compareTo(pb[i]);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(pa.length, pb.length);
    }
}
