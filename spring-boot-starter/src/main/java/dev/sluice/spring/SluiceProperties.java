package dev.sluice.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.sluice.r2dbc.Masking;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Sluice's settings under {@code sluice.*}, applied to the auto-configured {@link dev.sluice.r2dbc.R2dbcRepo}.
 * Values are checked when the repository is built; a bad one fails the application's start with a message naming it.
 */
@ConfigurationProperties(prefix = "sluice")
public class SluiceProperties {

    /**
     * The smallest page a scan fetches, even when the subscriber asks for fewer rows.
     */
    private int minPageSize = 100;

    /**
     * The most rows fetched ahead of the subscriber's demand, and the largest page a scan fetches unless the
     * subscriber has already asked for more.
     */
    private int maxPageSize = 10_000;

    /**
     * The most rows insertAll and upserts write in one multi-row INSERT (fewer when PostgreSQL's 65535
     * bind-parameter limit needs it).
     */
    private int writeBatchSize = 500;

    /**
     * The most parents whose relations load together: queries with with(...) fetch parents in windows of at most
     * this many, one query per relation per window.
     */
    private int relationBatchSize = 500;

    /**
     * The rows the keyset streams may hold fetched ahead of their subscribers' demand beyond a minimum page each,
     * shared by all of them; -1 (the default) for four max-page-size pages, 0 for none.
     */
    private long readAheadBudget = -1;

    /**
     * How many times a read outside a transaction runs again on another connection when its connection is lost: a
     * keyset page goes on after the last row it received; relation windows, deferred loads, lookups and counts run
     * again whole. 0 turns retrying off. Nothing is retried inside a transaction, for a write, or through a cursor.
     */
    private int retries = 5;

    /**
     * How long a read that lost its connection waits before it runs again; each further retry of the same page waits
     * twice as long (at most 30 seconds).
     */
    private Duration retryBackoff = Duration.ofMillis(200);

    /**
     * Packages whose records (entities, projections, query results) Spring AOT registers for reflection, for a
     * native image; with subpackages. Defaults to the application's package, where @SpringBootApplication sits.
     */
    private List<String> entityPackages = new ArrayList<>();

    /**
     * Logs every statement with its bind values at INFO to the logger dev.sluice.statements: "types" shows each
     * value's type and size only, "none" the values themselves (for development). Unset: no statement logging.
     */
    private @Nullable Masking logStatements;

    private final Observations observations = new Observations();

    /** Sluice's Micrometer observations ({@code sluice.observations.*}). */
    public static class Observations {

        /**
         * Whether the application's ObservationRegistry observes Sluice's streams and statements (metrics and traces).
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    public Observations getObservations() {
        return observations;
    }

    public @Nullable Masking getLogStatements() {
        return logStatements;
    }

    public void setLogStatements(@Nullable Masking logStatements) {
        this.logStatements = logStatements;
    }

    /**
     * The secret that signs resume tokens (query.page(size, token)), base64, at least 16 bytes (32 random bytes are
     * best, e.g. openssl rand -base64 32): the same on every instance of a service, so that a token one instance
     * hands out is good at another and after a restart. Unset: a random key per repository.
     */
    private @Nullable String resumeTokenKey;

    public @Nullable String getResumeTokenKey() {
        return resumeTokenKey;
    }

    public void setResumeTokenKey(@Nullable String resumeTokenKey) {
        this.resumeTokenKey = resumeTokenKey;
    }

    /**
     * R2DBC URLs of streaming replicas of spring.r2dbc.url's primary, each with a pool of its own: reads outside a
     * transaction go to them in turn, writes, transactions and onPrimary() to the primary.
     */
    private List<String> readReplicas = new ArrayList<>();

    /**
     * The most bytes of WAL a read replica may be behind the primary and still serve reads (16 MiB).
     */
    private long maxReplicaLagBytes = 16L * 1024 * 1024;

    /**
     * The most time a read replica may be behind the primary, measured by WAL position, and still serve reads.
     */
    private Duration maxReplicaLag = Duration.ofSeconds(5);

    /**
     * How long a read replica's check (its lag, or its failure) counts before a read checks it again.
     */
    private Duration replicaCheckInterval = Duration.ofSeconds(1);

    public List<String> getReadReplicas() {
        return readReplicas;
    }

    public void setReadReplicas(List<String> readReplicas) {
        this.readReplicas = readReplicas;
    }

    public long getMaxReplicaLagBytes() {
        return maxReplicaLagBytes;
    }

    public void setMaxReplicaLagBytes(long maxReplicaLagBytes) {
        this.maxReplicaLagBytes = maxReplicaLagBytes;
    }

    public Duration getMaxReplicaLag() {
        return maxReplicaLag;
    }

    public void setMaxReplicaLag(Duration maxReplicaLag) {
        this.maxReplicaLag = maxReplicaLag;
    }

    public Duration getReplicaCheckInterval() {
        return replicaCheckInterval;
    }

    public void setReplicaCheckInterval(Duration replicaCheckInterval) {
        this.replicaCheckInterval = replicaCheckInterval;
    }

    public int getMinPageSize() {
        return minPageSize;
    }

    public void setMinPageSize(int minPageSize) {
        this.minPageSize = minPageSize;
    }

    public int getMaxPageSize() {
        return maxPageSize;
    }

    public void setMaxPageSize(int maxPageSize) {
        this.maxPageSize = maxPageSize;
    }

    public int getWriteBatchSize() {
        return writeBatchSize;
    }

    public void setWriteBatchSize(int writeBatchSize) {
        this.writeBatchSize = writeBatchSize;
    }

    public long getReadAheadBudget() {
        return readAheadBudget;
    }

    public void setReadAheadBudget(long readAheadBudget) {
        this.readAheadBudget = readAheadBudget;
    }

    public int getRelationBatchSize() {
        return relationBatchSize;
    }

    public void setRelationBatchSize(int relationBatchSize) {
        this.relationBatchSize = relationBatchSize;
    }

    public int getRetries() {
        return retries;
    }

    public void setRetries(int retries) {
        this.retries = retries;
    }

    public Duration getRetryBackoff() {
        return retryBackoff;
    }

    public void setRetryBackoff(Duration retryBackoff) {
        this.retryBackoff = retryBackoff;
    }

    public List<String> getEntityPackages() {
        return entityPackages;
    }

    public void setEntityPackages(List<String> entityPackages) {
        this.entityPackages = entityPackages;
    }
}
