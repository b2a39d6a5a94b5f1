/**
 * Runs Sluice on R2DBC: r2dbc-postgresql and r2dbc-pool. Exports {@code dev.sluice.r2dbc}, and registers Sluice's
 * r2dbc-postgresql extension ({@code SluiceCodecs}) as a service.
 */
module dev.sluice.r2dbc {
    requires transitive dev.sluice.core;
    requires transitive r2dbc.spi;
    requires transitive r2dbc.pool;
    requires transitive r2dbc.postgresql;
    requires transitive io.netty.buffer;
    requires static transitive org.jspecify;
    // optional: only R2dbcRepo.Builder.observationRegistry(...) loads a Micrometer class
    requires static micrometer.observation;
    requires static micrometer.commons;
    requires static micrometer.core;

    exports dev.sluice.r2dbc;

    provides io.r2dbc.postgresql.extension.Extension with dev.sluice.r2dbc.SluiceCodecs;
}
