package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.testkit.PgWireRelay;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.reactivestreams.Publisher;
import reactor.test.StepVerifier;

/**
 * What the read specs do around each test: a repository on a pool of ONE connection through a counting relay (so
 * rows, bytes and statements are counted on the wire, and a connection left busy shows at once), used once before the
 * test so that its first-use checks stay out of the counts.
 */
abstract class RelayedSpecBase {

    /** Every statement the repository sent, as text. */
    final List<String> statements = new CopyOnWriteArrayList<>();
    PgWireRelay relay;
    R2dbcRepo repo;

    private final int minPage;
    private final int maxPage;

    RelayedSpecBase(int minPage, int maxPage) {
        this.minPage = minPage;
        this.maxPage = maxPage;
    }

    /** Uses {@link #repo} once, with the entities the spec reads, before the counts start. */
    abstract void firstUse();

    @BeforeEach
    void openRelayedRepository() {
        relay = Fixtures.relay();
        repo = Fixtures.repo(relay, 1, minPage, maxPage, statements::add);
        firstUse();
        relay.reset();
        statements.clear();
    }

    @AfterEach
    void closeRelayedRepository() {
        repo.close();
        relay.close();
    }

    /**
     * Subscribes with no demand and checks that no row crossed the wire for 200 ms; then requests 10 rows, receives
     * them, and waits 300 ms so that whatever was fetched beyond them has arrived and is counted.
     */
    <T> StepVerifier.Step<T> tenRowsOnDemand(Publisher<T> rows) {
        return StepVerifier.create(rows, 0)
                .expectSubscription()
                .thenAwait(Duration.ofMillis(200))
                .then(() -> assertThat(relay.dataRows()).as("rows before any request").isZero())
                .thenRequest(10)
                .expectNextCount(10)
                .thenAwait(Duration.ofMillis(300));
    }

    /** The SELECT statements the server has completed since the last reset. */
    long selects() {
        return relay.commandTags().stream().filter(t -> t.startsWith("SELECT")).count();
    }
}
