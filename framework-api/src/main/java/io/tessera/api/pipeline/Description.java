package io.tessera.api.pipeline;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;

/**
 * Describes one key of a step's config record, for {@code tessera describe STEP} and validation messages.
 *
 * <pre>{@code
 * public record Config(@Description("passes over the training set") @Range(min = 1) int epochs) { }
 * }</pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Description {
    /** One sentence on what the key means. */
    String value();
}
