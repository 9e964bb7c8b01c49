package io.tessera.api.pipeline;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;

/**
 * The accepted values of a string key of a step's config record ({@code optimizer: adam | sgd}). The host checks it
 * before the record is built, suggests the closest value for a typo, and lists the values in
 * {@code tessera describe}.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface OneOf {
    /** The accepted values. */
    String[] value();
}
