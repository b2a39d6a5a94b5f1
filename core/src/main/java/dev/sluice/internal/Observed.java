package dev.sluice.internal;

import dev.sluice.spi.Observer;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Where core tells a repository's {@link Observer} of its streams and statements: the one place that does. Without
 * an observer ({@link Observer#NONE}) each method hands its publisher back as it is.
 *
 * <p>A statement's {@link Observer.Statement} goes into the Reactor context of the publisher that runs it; a
 * statement run inside another's publisher (a window's relations, the catalog check before a write) is tagged
 * closer to its source, so its own tag wins.
 */
final class Observed {

    private Observed() {
    }

    /** The rows of one stream of {@code entity}, told to the observer. */
    static <T> Flux<T> stream(RepoSettings settings, Class<?> entity, Observer.Strategy strategy, Flux<T> rows) {
        Observer observer = settings.observer();
        return observer == Observer.NONE ? rows
                : observer.stream(new Observer.Stream(entity.getSimpleName(), strategy), rows);
    }

    /**
     * Tells the observer that the stream whose statements run in {@code context} ran a statement again (a page after
     * a lost connection): the stream's {@code retries} count. Nothing without an observer.
     */
    static void retried(RepoSettings settings, ContextView context) {
        Observer observer = settings.observer();
        if (observer != Observer.NONE) {
            observer.retried(context);
        }
    }

    /** The statements {@code statement} runs, tagged {@code kind} on {@code table}. */
    static <T> Flux<T> statement(RepoSettings settings, Observer.Kind kind, String table, Publisher<T> statement) {
        Flux<T> flux = Flux.from(statement);
        return settings.observer() == Observer.NONE ? flux
                : flux.contextWrite(Context.of(Observer.Statement.class, new Observer.Statement(kind, table)));
    }

    /** As {@link #statement(RepoSettings, Observer.Kind, String, Publisher)} for a {@link Mono}. */
    static <T> Mono<T> statement(RepoSettings settings, Observer.Kind kind, String table, Mono<T> statement) {
        return settings.observer() == Observer.NONE ? statement
                : statement.contextWrite(Context.of(Observer.Statement.class, new Observer.Statement(kind, table)));
    }
}
