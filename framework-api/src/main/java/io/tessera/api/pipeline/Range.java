package io.tessera.api.pipeline;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;

/**
 * The accepted values of a numeric key of a step's config record (bounds included unless excluded). The host checks
 * it before the record is built and reports a violation with the YAML file, line and column; {@code tessera describe}
 * prints it. The record's compact constructor may check more.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Range {
    /** The lowest accepted value. */
    double min() default Double.NEGATIVE_INFINITY;

    /** The highest accepted value. */
    double max() default Double.POSITIVE_INFINITY;

    /** Whether {@link #min()} itself is refused ({@code lr > 0}). */
    boolean minExclusive() default false;

    /** Whether {@link #max()} itself is refused. */
    boolean maxExclusive() default false;
}
