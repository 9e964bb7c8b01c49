/** Root of the Tessera API: version constants and the error type shared by every part of the API. */
package io.tessera.api;
