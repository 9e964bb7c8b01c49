package io.tessera.api.plugin;

import org.apiguardian.api.API;

/** A handle to a listener subscription or a service registration; closing it cancels it. Idempotent. */
@API(status = API.Status.STABLE, since = "1.0")
@FunctionalInterface
public interface Subscription extends AutoCloseable {

    /** Cancels the subscription or withdraws the registration; further calls do nothing. */
    @Override
    void close();
}
