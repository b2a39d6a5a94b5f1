package dev.sluice.spec;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * What every write spec does around its tests: its table emptied before each test, a repository on a pool of
 * {@code poolSize} connections through a counting relay, the entity's first-use table check kept out of the counts,
 * and row counts read by the test kit, not by the repository under test.
 */
abstract class WriteSpecBase {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String table;
    private final Class<?> entity;
    private final int poolSize;

    /** Every statement the repository sent, as text. */
    final List<String> statements = new CopyOnWriteArrayList<>();
    PgWireRelay relay;
    R2dbcRepo repo;

    WriteSpecBase(String table, Class<?> entity, int poolSize) {
        this.table = table;
        this.entity = entity;
        this.poolSize = poolSize;
    }

    @BeforeEach
    void openRepository() {
        WriteTables.empty(table);
        relay = Fixtures.relay();
        repo = WriteTables.repo(relay, poolSize, 500, statements::add);
        StepVerifier.create(repo.select(entity).count()).expectNext(0L).verifyComplete();
        relay.reset();
        statements.clear();
    }

    @AfterEach
    void closeRepository() {
        repo.close();
        relay.close();
    }

    /** Rows in the spec's table now. */
    long rows() {
        return WriteTables.rows(table);
    }

    /**
     * Waits until the command tags the relay has seen satisfy {@code condition}. A statement's tag follows its rows,
     * so a subscriber can hold rows whose tag is still on its way: check tags mid-stream only after this.
     */
    void awaitTags(Predicate<List<String>> condition) {
        Flux.interval(Duration.ofMillis(20)).takeUntil(i -> condition.test(relay.commandTags())).blockLast(TIMEOUT);
    }

    /** The server's command tags that start with {@code command}, e.g. {@code INSERT 0 500} for "INSERT". */
    List<String> tags(String command) {
        return relay.commandTags().stream().filter(t -> t.startsWith(command)).toList();
    }
}
