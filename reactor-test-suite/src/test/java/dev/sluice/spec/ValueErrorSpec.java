package dev.sluice.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;

import dev.sluice.MappingException;
import dev.sluice.SluiceException;
import dev.sluice.annotation.Id;
import dev.sluice.annotation.Table;
import dev.sluice.r2dbc.R2dbcRepo;
import dev.sluice.r2dbc.SluiceCodecs;
import dev.sluice.testkit.TestDatabase;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.test.StepVerifier;

/**
 * A value the Java type cannot hold is an error naming the component, the column, the row and the value, never
 * another value; and the exact reading depends on Sluice's driver extension, so without it a read fails saying how
 * to register it.
 */
class ValueErrorSpec {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Table("odd_number")
    record OddNumber(@Id Long id, BigDecimal amount) {
    }

    @Table("odd_number")
    record OddNumberAsDouble(@Id Long id, Double amount) {
    }

    @Table("moment")
    record Moment(@Id Long id, ZonedDateTime at) {
    }

    @Table("moment")
    record MomentAsOffset(@Id Long id, OffsetDateTime at) {
    }

    record Total(Long sum) {
    }

    @BeforeAll
    static void tables() {
        Fixtures.db().execute(
                "CREATE TABLE IF NOT EXISTS odd_number (id bigint PRIMARY KEY, amount numeric)",
                "INSERT INTO odd_number VALUES (1, 1.50), (2, 'NaN'), (3, 'Infinity'), (4, '-Infinity') "
                        + "ON CONFLICT DO NOTHING",
                "CREATE TABLE IF NOT EXISTS moment (id bigint PRIMARY KEY, at timestamptz)",
                "INSERT INTO moment VALUES (1, 'infinity'), (2, '-infinity') ON CONFLICT DO NOTHING");
    }

    private static String nanAdvice() {
        return "which BigDecimal cannot hold; declare the component as Double, which holds NaN and the infinities, "
                + "or keep such values out of the column";
    }

    @ParameterizedTest
    @EnumSource(TypeFidelitySpec.Transfer.class)
    void numericNaNAndInfinitiesInABigDecimalAreErrorsNamingTheRow(TypeFidelitySpec.Transfer transfer) {
        try (R2dbcRepo repo = transfer.repo()) {
            StepVerifier.create(repo.select(OddNumber.class).orderBy("id").flux())
                    .expectNext(new OddNumber(1L, new BigDecimal("1.50")))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                            "OddNumber.amount: column amount holds NaN in the row (id=2), " + nanAdvice()))
                    .verify(TIMEOUT);
            StepVerifier.create(repo.findById(OddNumber.class, 3L))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                            "OddNumber.amount: column amount holds Infinity in the row (id=3), " + nanAdvice()))
                    .verify(TIMEOUT);
            StepVerifier.create(repo.findById(OddNumber.class, 4L))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                            "OddNumber.amount: column amount holds -Infinity in the row (id=4), " + nanAdvice()))
                    .verify(TIMEOUT);
            StepVerifier.create(repo.query(OddNumber.class, "SELECT id, amount FROM odd_number WHERE id = ?", 2L))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                            "OddNumber.amount: column amount holds NaN, " + nanAdvice()))
                    .verify(TIMEOUT);
            // the advice holds: a Double reads them all
            assertThat(repo.scan(OddNumberAsDouble.class).map(OddNumberAsDouble::amount).collectList()
                    .block(TIMEOUT)).containsExactly(1.5, Double.NaN, Double.POSITIVE_INFINITY,
                    Double.NEGATIVE_INFINITY);
        }
    }

    @ParameterizedTest
    @EnumSource(TypeFidelitySpec.Transfer.class)
    void infinityInAZonedDateTimeIsAnErrorNamingTheRow(TypeFidelitySpec.Transfer transfer) {
        try (R2dbcRepo repo = transfer.repo()) {
            StepVerifier.create(repo.findById(Moment.class, 1L))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                            "Moment.at: column at holds infinity in the row (id=1), which ZonedDateTime cannot hold; "
                                    + "declare the component as OffsetDateTime or Instant, which read infinity as "
                                    + "their MAX and -infinity as their MIN"))
                    .verify(TIMEOUT);
            StepVerifier.create(repo.findById(Moment.class, 2L))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                            "Moment.at: column at holds -infinity in the row (id=2), which ZonedDateTime cannot hold; "
                                    + "declare the component as OffsetDateTime or Instant, which read infinity as "
                                    + "their MAX and -infinity as their MIN"))
                    .verify(TIMEOUT);
            assertThat(repo.scan(MomentAsOffset.class).map(MomentAsOffset::at).collectList().block(TIMEOUT))
                    .containsExactly(OffsetDateTime.MAX, OffsetDateTime.MIN);
        }
    }

    @ParameterizedTest
    @EnumSource(TypeFidelitySpec.Transfer.class)
    void aNumericThatIsNoWholeNumberInALongIsAnError(TypeFidelitySpec.Transfer transfer) {
        try (R2dbcRepo repo = transfer.repo()) {
            assertThat(repo.query(Total.class, "SELECT sum(v) AS sum FROM (VALUES (9223372036854775807::bigint), "
                    + "(-1::bigint)) t(v)").map(Total::sum).collectList().block(TIMEOUT))
                    .containsExactly(9223372036854775806L);
            StepVerifier.create(repo.query(Total.class, "SELECT 2.5 AS sum"))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                            "Total.sum: column sum holds 2.5, which Long cannot hold; declare the component as "
                                    + "BigDecimal"))
                    .verify(TIMEOUT);
            StepVerifier.create(repo.query(Total.class, "SELECT sum(v) AS sum FROM (VALUES "
                    + "(9223372036854775807::bigint), (1::bigint)) t(v)"))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                            "Total.sum: column sum holds 9223372036854775808, which Long cannot hold; declare the "
                                    + "component as BigDecimal"))
                    .verify(TIMEOUT);
        }
    }

    record DayAsText(String day) {
    }

    @ParameterizedTest
    @EnumSource(TypeFidelitySpec.Transfer.class)
    void aColumnSluiceDecodesReadIntoATypeItDoesNotTakeIsAnError(TypeFidelitySpec.Transfer transfer) {
        try (R2dbcRepo repo = transfer.repo()) {
            StepVerifier.create(repo.query(DayAsText.class, "SELECT date '2026-12-01' AS day"))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(MappingException.class).hasMessage(
                            "Column day is date, which Sluice reads as LocalDate, not String; declare the component "
                                    + "as LocalDate, or cast the column to text in the SQL"))
                    .verify(TIMEOUT);
            assertThat(repo.query(DayAsText.class, "SELECT date '2026-12-01'::text AS day").map(DayAsText::day)
                    .collectList().block(TIMEOUT)).containsExactly("2026-12-01");
        }
    }

    private static PostgresqlConnectionConfiguration.Builder configuration() {
        TestDatabase db = Fixtures.db();
        return PostgresqlConnectionConfiguration.builder().host(db.host()).port(db.port()).username(db.user())
                .password(db.password()).database(db.database()).schema(db.schema()).forceBinary(true);
    }

    private static R2dbcRepo repoOn(PostgresqlConnectionConfiguration configuration) {
        return R2dbcRepo.create(new ConnectionPool(ConnectionPoolConfiguration.builder(
                new PostgresqlConnectionFactory(configuration)).maxSize(1).build()));
    }

    @Test
    void withoutSluicesExtensionAReadOfAnExactColumnFailsSayingHowToRegisterIt() {
        try (R2dbcRepo repo = repoOn(configuration().autodetectExtensions(false).build())) {
            StepVerifier.create(repo.findById(OddNumber.class, 1L))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SluiceException.class).hasMessage(
                            "Column amount is numeric, which Sluice decodes itself, to read every value exactly, "
                                    + "through its r2dbc-postgresql extension dev.sluice.r2dbc.SluiceCodecs; this "
                                    + "connection was made without it (was its factory built with "
                                    + "autodetectExtensions(false)?). Register it: PostgresqlConnectionConfiguration"
                                    + ".builder().extendWith(new SluiceCodecs()), or leave autodetectExtensions on"))
                    .verify(TIMEOUT);
            // a NULL fails the same way: the first read of the column, not the first value, tells
            StepVerifier.create(repo.query(OddNumber.class, "SELECT 5::bigint AS id, NULL::numeric AS amount"))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SluiceException.class)
                            .hasMessageStartingWith("Column amount is numeric, which Sluice decodes itself"))
                    .verify(TIMEOUT);
            // columns of other types keep the driver's codecs, and read
            assertThat(repo.query(Total.class, "SELECT 7::bigint AS sum").map(Total::sum).collectList()
                    .block(TIMEOUT)).containsExactly(7L);
        }
    }

    @Test
    void theExtensionRegisteredByHandReadsExactly() {
        try (R2dbcRepo repo = repoOn(configuration().autodetectExtensions(false).extendWith(new SluiceCodecs())
                .build())) {
            assertThat(repo.findById(OddNumber.class, 1L).block(TIMEOUT))
                    .isEqualTo(new OddNumber(1L, new BigDecimal("1.50")));
            assertThat(repo.query(Moment.class, "SELECT 3::bigint AS id, timestamptz '0001-01-01 00:00:00+00' AS at")
                    .map(Moment::at).collectList().block(TIMEOUT))
                    .containsExactly(Instant.parse("0001-01-01T00:00:00Z").atZone(java.time.ZoneOffset.UTC));
        }
    }
}
