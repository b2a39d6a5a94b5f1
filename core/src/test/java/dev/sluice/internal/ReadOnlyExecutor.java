package dev.sluice.internal;

import java.util.function.Function;

import dev.sluice.spi.Executor;
import dev.sluice.spi.RenderedSql;
import dev.sluice.spi.Session;
import dev.sluice.spi.TransactionOptions;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** A fake executor for tests of reads: it writes nothing and opens no transaction; subclasses answer queries. */
abstract class ReadOnlyExecutor implements Executor {

    @Override
    public Mono<Long> update(RenderedSql sql) {
        return Mono.error(new UnsupportedOperationException(sql.sql()));
    }

    @Override
    public <T> Flux<T> inTransaction(TransactionOptions options, Function<Session, ? extends Publisher<T>> work) {
        return Flux.error(new UnsupportedOperationException("no transactions here"));
    }
}
