package dev.sluice.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spi.Observer;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The observer without a database: what a stream counts, and the retry count a page retry bumps. */
class MicrometerObserverTest {

    private final TestObservationRegistry registry = TestObservationRegistry.create();
    private final MicrometerObserver observer = MicrometerObserver.of(registry);
    private final Observer.Stream pictures = new Observer.Stream("Picture", Observer.Strategy.KEYSET);

    @Test
    void aStreamThatRetriedAPageCountsItsRetries() {
        Flux<Integer> rows = Flux.deferContextual(context -> {
            observer.retried(context); // as a page retried after a lost connection would
            observer.retried(context);
            return Flux.just(1, 2, 3);
        });
        assertThat(observer.stream(pictures, rows).collectList().block()).containsExactly(1, 2, 3);
        TestObservationRegistryAssert.assertThat(registry).hasSingleObservationThat()
                .hasNameEqualTo("sluice.stream")
                .hasLowCardinalityKeyValue("entity", "Picture")
                .hasLowCardinalityKeyValue("strategy", "keyset")
                .hasLowCardinalityKeyValue("outcome", "completed")
                .hasHighCardinalityKeyValue("rows", "3")
                .hasHighCardinalityKeyValue("pages", "0")
                .hasHighCardinalityKeyValue("retries", "2");
    }

    @Test
    void aStatementOutsideAnySluiceTagIsOfKindOther() {
        assertThat(observer.statement("SELECT 1", borrow -> Flux.just(1)).blockLast()).isEqualTo(1);
        TestObservationRegistryAssert.assertThat(registry).hasSingleObservationThat()
                .hasNameEqualTo("sluice.statement")
                .hasLowCardinalityKeyValue("kind", "other")
                .hasLowCardinalityKeyValue("table", "none")
                .hasHighCardinalityKeyValue("sql", "SELECT 1")
                .hasHighCardinalityKeyValue("rows", "1")
                .doesNotHaveHighCardinalityKeyValueWithKey("connection.wait");
    }

    @Test
    void anUpdateCountsTheRowsItWrote() {
        assertThat(observer.update("DELETE FROM picture", borrow -> {
            borrow.acquired();
            borrow.released();
            return Mono.just(42L);
        }).block()).isEqualTo(42L);
        TestObservationRegistryAssert.assertThat(registry).hasSingleObservationThat()
                .hasHighCardinalityKeyValue("rows", "42")
                .hasHighCardinalityKeyValueWithKey("connection.wait")
                .hasHighCardinalityKeyValueWithKey("connection.held");
    }
}
