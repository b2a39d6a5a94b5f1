/**
 * Sluice's core: entity mapping, the query model, SQL rendering, loading plans and the demand-driven pager.
 * Exports its public API ({@code dev.sluice}, {@code dev.sluice.annotation}) and the adapter SPI
 * ({@code dev.sluice.spi}); its implementation ({@code dev.sluice.internal}) only to the R2DBC adapter.
 *
 * <p>On the module path, Sluice builds your entity records through their canonical constructors and reads their
 * components: open the package of your entities to it ({@code opens com.example.model to dev.sluice.core;}).
 */
module dev.sluice.core {
    requires transitive reactor.core;
    requires transitive org.reactivestreams;
    requires static transitive org.jspecify;

    exports dev.sluice;
    exports dev.sluice.annotation;
    exports dev.sluice.spi;
    exports dev.sluice.internal to dev.sluice.r2dbc;
}
