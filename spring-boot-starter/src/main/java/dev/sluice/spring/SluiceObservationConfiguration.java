package dev.sluice.spring;

import dev.sluice.r2dbc.SluiceMeterObservationHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Sluice's observations, when Micrometer's Observation API is on the class path and {@code sluice.observations.enabled}
 * is not false: the application's {@link ObservationRegistry} (Spring Boot Actuator makes one) is given to the
 * repository; with a {@link MeterRegistry} too, a {@link SluiceMeterObservationHandler} bean (which Spring Boot
 * registers with the observation registry) adds meters of rows, pages and connection times. Kept apart from
 * {@link SluiceAutoConfiguration} so that an application without Micrometer loads none of its classes.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnProperty(prefix = "sluice.observations", name = "enabled", havingValue = "true", matchIfMissing = true)
class SluiceObservationConfiguration {

    /** Sets the application's observation registry, if it has exactly one, on the repository. */
    @Bean
    SluiceRepoCustomizer sluiceObservationRegistryCustomizer(ObjectProvider<ObservationRegistry> registry) {
        return builder -> registry.ifUnique(builder::observationRegistry);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class Meters {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnSingleCandidate(MeterRegistry.class)
        SluiceMeterObservationHandler sluiceMeterObservationHandler(MeterRegistry meters) {
            return SluiceMeterObservationHandler.create(meters);
        }
    }
}
