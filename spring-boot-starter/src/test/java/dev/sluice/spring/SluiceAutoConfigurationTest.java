package dev.sluice.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Repo;
import dev.sluice.r2dbc.Masking;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.r2dbc.SluiceMeterObservationHandler;
import dev.sluice.testkit.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.r2dbc.spi.ConnectionFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration without a database: beans only, no connection is opened. */
class SluiceAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(R2dbcAutoConfiguration.class, SluiceAutoConfiguration.class))
            .withPropertyValues("spring.r2dbc.url=r2dbc:postgresql://postgres@127.0.0.1:5432/test");

    @Test
    void aRepoOnBootsConnectionFactory() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(Repo.class).hasSingleBean(SluiceProperties.class);
            R2dbcRepo repo = context.getBean(R2dbcRepo.class);
            assertThat(repo.connectionFactory()).isSameAs(context.getBean(ConnectionFactory.class));
        });
    }

    @Test
    void propertiesBindUnderSluice() {
        runner.withPropertyValues("sluice.min-page-size=10", "sluice.max-page-size=50", "sluice.write-batch-size=7",
                        "sluice.relation-batch-size=30", "sluice.retries=0", "sluice.retry-backoff=50ms",
                        "sluice.read-ahead-budget=2000")
                .run(context -> {
                    assertThat(context.getBean(SluiceProperties.class).getReadAheadBudget()).isEqualTo(2000);
                    SluiceProperties properties = context.getBean(SluiceProperties.class);
                    assertThat(properties.getMinPageSize()).isEqualTo(10);
                    assertThat(properties.getMaxPageSize()).isEqualTo(50);
                    assertThat(properties.getWriteBatchSize()).isEqualTo(7);
                    assertThat(properties.getRelationBatchSize()).isEqualTo(30);
                    assertThat(properties.getRetries()).isZero();
                    assertThat(properties.getRetryBackoff()).isEqualTo(java.time.Duration.ofMillis(50));
                    assertThat(context).hasSingleBean(Repo.class);
                });
    }

    @Test
    void aNegativeReadAheadBudgetFailsTheContextSayingWhatToGive() {
        runner.withPropertyValues("sluice.read-ahead-budget=-5").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("sluice.read-ahead-budget must be at least 0 rows")
                .hasMessageContaining("got -5"));
    }

    @Test
    void readReplicaPropertiesBindUnderSluice() {
        runner.withPropertyValues("sluice.read-replicas=r2dbc:postgresql://postgres@127.0.0.1:5999/test,"
                        + "r2dbc:postgresql://postgres@127.0.0.1:5998/test", "sluice.max-replica-lag-bytes=1024",
                        "sluice.max-replica-lag=2s", "sluice.replica-check-interval=250ms")
                .run(context -> {
                    SluiceProperties properties = context.getBean(SluiceProperties.class);
                    assertThat(properties.getReadReplicas()).hasSize(2);
                    assertThat(properties.getMaxReplicaLagBytes()).isEqualTo(1024);
                    assertThat(properties.getMaxReplicaLag()).isEqualTo(java.time.Duration.ofSeconds(2));
                    assertThat(properties.getReplicaCheckInterval()).isEqualTo(java.time.Duration.ofMillis(250));
                    assertThat(context).hasSingleBean(Repo.class);
                });
        runner.withPropertyValues("sluice.replica-check-interval=0s")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessage("replicaCheckInterval must be positive, but was PT0S"));
    }

    @Test
    void aBadValueFailsTheStartWithAMessageThatNamesIt() {
        runner.withPropertyValues("sluice.min-page-size=500", "sluice.max-page-size=50")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessage("maxPageSize (50) must be at least minPageSize (500)"));
    }

    @Test
    void aResumeTokenKeyTooShortOrNotBase64FailsTheStart() {
        runner.withPropertyValues("sluice.resume-token-key=c2hvcnQ=")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessage("resumeTokenKey needs at least 16 bytes (32 random bytes are best), got 5"));
        runner.withPropertyValues("sluice.resume-token-key=not base64!")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageStartingWith("Illegal base64 character"));
        runner.withPropertyValues("sluice.resume-token-key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
                .run(context -> assertThat(context).hasSingleBean(Repo.class));
    }

    @Test
    void backsOffWhenTheApplicationHasItsOwnRepo() {
        runner.withUserConfiguration(OwnRepo.class).run(context -> {
            assertThat(context).hasSingleBean(Repo.class);
            assertThat(context.getBean(Repo.class)).isSameAs(context.getBean(OwnRepo.class).repo);
        });
    }

    @Test
    void theApplicationsObservationRegistryObservesTheRepositoryUnlessTurnedOff() {
        String url = TestDatabase.get().r2dbcUrl();
        TestObservationRegistry registry = TestObservationRegistry.create();
        ApplicationContextRunner observed = runner.withPropertyValues("spring.r2dbc.url=" + url)
                .withBean(ObservationRegistry.class, () -> registry);
        observed.run(context -> {
            context.getBean(R2dbcRepo.class).query(One.class, "SELECT 1 AS one").blockLast();
            TestObservationRegistryAssert.assertThat(registry).hasObservationWithNameEqualTo("sluice.stream").that()
                    .hasLowCardinalityKeyValue("entity", "One").hasHighCardinalityKeyValue("rows", "1");
        });
        registry.clear();
        observed.withPropertyValues("sluice.observations.enabled=false").run(context -> {
            context.getBean(R2dbcRepo.class).query(One.class, "SELECT 1 AS one").blockLast();
            TestObservationRegistryAssert.assertThat(registry).doesNotHaveAnyObservation();
        });
    }

    @Test
    void aMeterRegistryGetsSluicesMeterHandler() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> assertThat(context).hasSingleBean(SluiceMeterObservationHandler.class));
        runner.run(context -> assertThat(context).doesNotHaveBean(SluiceMeterObservationHandler.class));
    }

    @Test
    void statementLoggingIsAProperty() {
        runner.withPropertyValues("sluice.log-statements=types").run(context -> {
            assertThat(context.getBean(SluiceProperties.class).getLogStatements()).isEqualTo(Masking.TYPES);
            assertThat(context).hasSingleBean(Repo.class);
        });
    }

    record One(int one) {
    }

    @Test
    void backsOffWithoutAConnectionFactory() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class))
                .run(context -> assertThat(context).doesNotHaveBean(Repo.class));
    }

    @Test
    void theConfigurationMetadataIsGeneratedForIdeCompletion() throws Exception {
        try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).isNotNull();
            String json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(json).contains("\"sluice.min-page-size\"", "\"sluice.max-page-size\"",
                    "\"sluice.write-batch-size\"", "\"sluice.relation-batch-size\"", "\"defaultValue\": 10000",
                    "\"sluice.retries\"", "\"sluice.retry-backoff\"");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRepo {
        final R2dbcRepo repo = R2dbcRepo.builder("r2dbc:postgresql://postgres@127.0.0.1:5432/test").build();

        @Bean
        Repo myRepo() {
            return repo;
        }
    }
}
