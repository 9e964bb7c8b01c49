package io.tessera.api;

import org.apiguardian.api.API;

/** Version of the API a plugin compiles against; a plugin's {@code Tessera-Api} range is checked against it. */
@API(status = API.Status.STABLE, since = "1.0")
public final class TesseraApi {
    /** The semantic version of this API. Plugins declare the range they accept in {@code Tessera-Api}. */
    public static final String VERSION = "1.0.0";

    private TesseraApi() {
    }
}
