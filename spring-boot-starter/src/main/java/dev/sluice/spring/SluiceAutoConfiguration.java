package dev.sluice.spring;

import dev.sluice.Repo;
import dev.sluice.StatementListener;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.r2dbc.SessionSettings;
import io.r2dbc.spi.ConnectionFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * A Sluice {@link Repo} on the application's R2DBC {@link ConnectionFactory} (the one Spring Boot's R2DBC
 * auto-configuration makes from {@code spring.r2dbc.*}, or the application's own), joining Spring-managed
 * transactions through {@link SpringConnectionProvider}, and signalling Spring's {@code DataAccessException}s
 * ({@link SluiceExceptionTranslator}). Settings come from {@link SluiceProperties} ({@code sluice.*}); a
 * {@link StatementListener} bean, if there is exactly one, is told of every statement, and a {@link SessionSettings}
 * bean, if there is exactly one, sets up every borrowed connection from the subscriber's Reactor context. With
 * Micrometer, the application's {@code ObservationRegistry} observes Sluice's streams and statements
 * ({@link SluiceObservationConfiguration}; {@code sluice.observations.enabled=false} turns that off);
 * {@code sluice.log-statements=types} logs every statement with its values masked. Any {@link SluiceRepoCustomizer}
 * bean changes the builder last. Backs off when the application defines a {@link Repo} bean of its own.
 */
// after the meter and observation registries, when Actuator is there, so that their beans can be conditions
@AutoConfiguration(after = R2dbcAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"})
@ConditionalOnClass({Repo.class, R2dbcRepo.class, ConnectionFactory.class})
@ConditionalOnSingleCandidate(ConnectionFactory.class)
@EnableConfigurationProperties(SluiceProperties.class)
@Import(SluiceObservationConfiguration.class)
public class SluiceAutoConfiguration {

    /**
     * Sluice's and the driver's exceptions as Spring's, for the repository below; as a
     * {@code PersistenceExceptionTranslator} it also serves Spring's translation of {@code @Repository} beans.
     */
    @Bean
    @ConditionalOnMissingBean
    public SluiceExceptionTranslator sluiceExceptionTranslator() {
        return SluiceExceptionTranslator.create();
    }

    /**
     * The repository; its connection pool is Spring's, so closing it (on shutdown) closes only the pools of its read
     * replicas ({@code sluice.read-replicas}), if any.
     */
    @Bean
    @ConditionalOnMissingBean(Repo.class)
    public R2dbcRepo sluiceRepo(ConnectionFactory connectionFactory, SluiceProperties properties,
            SluiceExceptionTranslator exceptionTranslator, ObjectProvider<StatementListener> statementListener,
            ObjectProvider<SessionSettings> sessionSettings, ObjectProvider<SluiceRepoCustomizer> customizers) {
        R2dbcRepo.Builder builder = R2dbcRepo.builder(connectionFactory)
                .connectionProvider(SpringConnectionProvider.create(connectionFactory))
                .exceptionTranslator(exceptionTranslator::translate)
                .minPageSize(properties.getMinPageSize())
                .maxPageSize(properties.getMaxPageSize())
                .writeBatchSize(properties.getWriteBatchSize())
                .relationBatchSize(properties.getRelationBatchSize())
                .retries(properties.getRetries())
                .retryBackoff(properties.getRetryBackoff())
                .readReplicas(properties.getReadReplicas().toArray(String[]::new))
                .maxReplicaLagBytes(properties.getMaxReplicaLagBytes())
                .maxReplicaLag(properties.getMaxReplicaLag())
                .replicaCheckInterval(properties.getReplicaCheckInterval());

        if (properties.getReadAheadBudget() >= 0) {
            builder.readAheadBudget(properties.getReadAheadBudget());
        } else if (properties.getReadAheadBudget() != -1) {
            throw new IllegalArgumentException("sluice.read-ahead-budget must be at least 0 rows (or -1, the default: "
                    + "four sluice.max-page-size pages), got " + properties.getReadAheadBudget());
        }
        String key = properties.getResumeTokenKey();
        if (key != null && !key.isBlank()) {
            try {
                builder.resumeTokenKey(java.util.Base64.getDecoder().decode(key.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sluice.resume-token-key: " + e.getMessage() + "; give at least 16 "
                        + "bytes in base64, e.g. the output of 'openssl rand -base64 32'", e);
            }
        }
        statementListener.ifUnique(builder::statementListener);
        sessionSettings.ifUnique(builder::sessionSettings);
        if (properties.getLogStatements() != null) {
            builder.logStatements(properties.getLogStatements());
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }
}
