package dev.sluice.spring;

import dev.sluice.r2dbc.R2dbcRepo;

/**
 * Changes the builder of the auto-configured repository before it is built, after {@code sluice.*} are applied:
 * every bean of this type is called, in order. The starter's own customizer sets the application's
 * {@code ObservationRegistry}.
 */
@FunctionalInterface
public interface SluiceRepoCustomizer {
    void customize(R2dbcRepo.Builder builder);
}
