package io.tessera.api.plugin;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;

/**
 * Marks an interface as an extension point: a service type other plugins implement and the host publishes in the
 * {@link ServiceRegistry}. The API's own extension points ({@link io.tessera.api.pipeline.Step}, ...) carry it, and
 * a plugin declares its own the same way:
 *
 * <pre>{@code
 * @ExtensionPoint(name = "acme/tokenizer")
 * public interface Tokenizer { ... }             // in an exported package of plugin io.acme.text
 *
 * module io.acme.text { exports io.acme.text.spi; uses io.acme.text.spi.Tokenizer; ... }
 * module io.acme.bpe  { requires io.acme.text; provides io.acme.text.spi.Tokenizer with io.acme.bpe.Bpe; }
 * }</pre>
 *
 * The extending plugin lists the declaring plugin in {@code Tessera-Requires} so its layer can read the interface.
 * Any {@code provides} type is published whether annotated or not; the annotation documents intent and lets tools
 * list extension points with a description.
 */
@API(status = API.Status.STABLE, since = "1.0")
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ExtensionPoint {

    /** A short name for listings, e.g. {@code core/step}; defaults to the interface name. */
    String name() default "";

    /** One sentence on what implementations do. */
    String description() default "";
}
