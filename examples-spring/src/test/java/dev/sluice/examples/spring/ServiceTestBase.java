package dev.sluice.examples.spring;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.sluice.Repo;
import dev.sluice.testkit.PgWireRelay;
import dev.sluice.testkit.TestDatabase;
import io.netty.channel.ChannelOption;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.core.publisher.Flux;

/**
 * The example service on a random loopback port, on the test kit's database (its own schema per run) through a
 * {@link PgWireRelay} that counts the rows PostgreSQL sends. One Spring context for every test class that extends
 * this: same configuration, so Spring's test context cache shares it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(ServiceTestBase.SmallSocketBuffers.class)
abstract class ServiceTestBase {

    /** Rows in {@code picture}: about 1.4 KiB of JSON each. */
    static final int PICTURES = 100_000;
    static final int POOL_SIZE = 10;
    static final int MIN_PAGE = 100;
    static final int MAX_PAGE = 500;

    /**
     * The server's socket send buffer, as asked for; Linux doubles it for bookkeeping, and it is then fixed (no
     * autotuning up to megabytes), so what the server can have in flight on one connection is known.
     */
    static final int SERVER_SEND_BUFFER = 64 * 1024;

    static final PgWireRelay RELAY;

    /** The service's application_name: this JVM's only, so that runs at the same time on one server do not mix. */
    static final String APPLICATION = "sluice-example-spring-" + ProcessHandle.current().pid();

    static {
        TestDatabase db = TestDatabase.get();
        db.createPictures(PICTURES);
        RELAY = PgWireRelay.start(db.host(), db.port());
        Runtime.getRuntime().addShutdownHook(new Thread(RELAY::close, "relay-close"));
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add("spring.r2dbc.url", () -> TestDatabase.get().r2dbcUrl("127.0.0.1", RELAY.port())
                + "&applicationName=" + APPLICATION);
        registry.add("spring.r2dbc.pool.initial-size", () -> 1);
        registry.add("spring.r2dbc.pool.max-size", () -> POOL_SIZE);
        registry.add("sluice.min-page-size", () -> MIN_PAGE);
        registry.add("sluice.max-page-size", () -> MAX_PAGE);
        registry.add("sample-data.enabled", () -> false); // the tests make their own tables
    }

    /** Rows the service has asked of {@code repo.scan(..)} streams, in all (a cumulative count). */
    static final AtomicLong SCAN_DEMAND = new AtomicLong();

    @TestConfiguration(proxyBeanMethods = false)
    static class SmallSocketBuffers {
        @Bean
        NettyServerCustomizer smallSendBuffer() {
            return server -> server.childOption(ChannelOption.SO_SNDBUF, SERVER_SEND_BUFFER);
        }

        /**
         * Wraps the service's {@link Repo} so that the demand WebFlux places on each {@code scan} is counted: what
         * Sluice was asked for, measured rather than estimated from buffer sizes.
         */
        @Bean
        static BeanPostProcessor countScanDemand() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    if (!(bean instanceof Repo repo)) {
                        return bean;
                    }
                    return Proxy.newProxyInstance(Repo.class.getClassLoader(),
                            new Class<?>[] {Repo.class, AutoCloseable.class}, (proxy, method, args) -> {
                                Object result;
                                try {
                                    result = method.invoke(repo, args);
                                } catch (InvocationTargetException e) {
                                    throw e.getCause();
                                }
                                return method.getName().equals("scan") && result instanceof Flux<?> rows
                                        ? rows.doOnRequest(n -> SCAN_DEMAND.accumulateAndGet(n,
                                                (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b))
                                        : result;
                            });
                }
            };
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    ConnectionFactory connectionFactory;

    ConnectionPool pool() {
        Object factory = connectionFactory;
        while (!(factory instanceof ConnectionPool) && factory instanceof Wrapped<?> wrapped) {
            factory = wrapped.unwrap();
        }
        return (ConnectionPool) factory;
    }

    /** Connections of the pool lent out right now. */
    int acquired() {
        return pool().getMetrics().orElseThrow().acquiredSize();
    }

    /** Sessions of the service inside a transaction, open or idle. */
    static long sessionsInTransaction() {
        return TestDatabase.get().queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                + APPLICATION + "' AND xact_start IS NOT NULL");
    }

    static void await(String what, java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
