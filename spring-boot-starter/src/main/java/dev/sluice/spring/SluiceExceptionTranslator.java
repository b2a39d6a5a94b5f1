package dev.sluice.spring;

import java.util.Set;

import dev.sluice.ConnectionLostException;
import dev.sluice.MappingException;
import dev.sluice.QueryException;
import dev.sluice.OptimisticLockException;
import dev.sluice.RowCountException;
import dev.sluice.SluiceException;
import dev.sluice.WriteException;
import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcException;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.dao.InvalidDataAccessResourceUsageException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.dao.support.PersistenceExceptionTranslator;
import org.springframework.r2dbc.BadSqlGrammarException;
import org.springframework.r2dbc.connection.ConnectionFactoryUtils;

/**
 * Sluice's and the R2DBC driver's exceptions as Spring's {@link DataAccessException}s, so that a Spring application
 * handles Sluice's errors as it handles those of {@code DatabaseClient} or Spring Data. The auto-configured
 * repository applies it to every error it signals or throws; a repository of one's own gets it with
 * {@code R2dbcRepo.builder(factory).exceptionTranslator(translator::translate)}.
 *
 * <ul>
 *   <li>{@link WriteException} (a write the database or Sluice refused): {@link DuplicateKeyException} for a
 *       unique violation (SQLSTATE 23505), otherwise {@link DataIntegrityViolationException} (a constraint, a NULL,
 *       a value that does not fit its column);</li>
 *   <li>{@link OptimisticLockException} (a row of an entity with {@code @Version} changed or deleted since it was
 *       read): {@link OptimisticLockingFailureException};</li>
 *   <li>{@link RowCountException} ({@code one()} finding none or several rows, an update of a row that is gone):
 *       {@link EmptyResultDataAccessException} when no row was found, otherwise
 *       {@link IncorrectResultSizeDataAccessException}, with the expected and the actual count;</li>
 *   <li>{@link QueryException} and {@link MappingException} (a malformed query, a record that does not fit its table
 *       or a row): {@link InvalidDataAccessApiUsageException}: the fix is in the application's code;</li>
 *   <li>{@link ConnectionLostException} (a read that lost its connection and could not be retried, or whose
 *       retries were spent): {@link TransientDataAccessResourceException}, as the driver's lost connection;</li>
 *   <li>any other {@link SluiceException} (a connection without Sluice's driver extension):
 *       {@link InvalidDataAccessResourceUsageException};</li>
 *   <li>the driver's {@link R2dbcException}: a lost connection (SQLSTATE class 08, or 57P01 to 57P03: the server
 *       shut down or restarted) as {@link TransientDataAccessResourceException}, since the same work on a new
 *       connection can succeed; a statement cancelled by {@code statement_timeout} (57014) as
 *       {@link QueryTimeoutException}; bad SQL as {@link BadSqlGrammarException}, keeping the driver's words
 *       (which Spring's message leaves out); everything else as Spring Framework translates it
 *       ({@link ConnectionFactoryUtils#convertR2dbcException}: {@code DuplicateKeyException},
 *       {@code PermissionDeniedDataAccessException}, ...).</li>
 * </ul>
 * The message is Sluice's own, word for word (the driver's, with the statement, for a driver error), and the
 * original exception is the {@linkplain Throwable#getCause() cause}, so a {@code WriteException}'s input rows stay
 * reachable. Other exceptions, including those already translated, are left as they are. Thread-safe.
 */
public final class SluiceExceptionTranslator implements PersistenceExceptionTranslator {

    /** SQLSTATE unique_violation. */
    private static final String UNIQUE_VIOLATION = "23505";
    /** SQLSTATE query_canceled: what {@code statement_timeout} raises. */
    private static final String QUERY_CANCELED = "57014";
    /** SQLSTATEs admin_shutdown, crash_shutdown, cannot_connect_now: the server went away or is restarting. */
    private static final Set<String> SERVER_GONE = Set.of("57P01", "57P02", "57P03");
    /** What Spring's messages name as the task that failed. */
    private static final String TASK = "Sluice";

    private SluiceExceptionTranslator() {
    }

    /** The translator. */
    public static SluiceExceptionTranslator create() {
        return new SluiceExceptionTranslator();
    }

    /** The Spring exception for {@code error}, or {@code error} itself when it is neither Sluice's nor the driver's. */
    public RuntimeException translate(RuntimeException error) {
        DataAccessException translated = translateExceptionIfPossible(error);
        return translated != null ? translated : error;
    }

    /** The Spring exception for {@code error}; null when it is neither Sluice's nor the driver's. */
    @Override
    public @Nullable DataAccessException translateExceptionIfPossible(RuntimeException error) {
        if (error instanceof SluiceException sluice) {
            return translate(sluice);
        }
        if (error instanceof R2dbcException r2dbc) {
            return translate(r2dbc);
        }
        return null;
    }

    private static DataAccessException translate(SluiceException error) {
        String message = error.getMessage();
        if (error instanceof WriteException write) {
            return UNIQUE_VIOLATION.equals(write.sqlState()) ? new DuplicateKeyException(message, write)
                    : new DataIntegrityViolationException(message, write);
        }
        if (error instanceof OptimisticLockException) {
            return new OptimisticLockingFailureException(message, error);
        }
        if (error instanceof RowCountException count) {
            int expected = saturated(count.expected());
            return count.actual() == 0 ? new EmptyResultDataAccessException(message, expected, count)
                    : new IncorrectResultSizeDataAccessException(message, expected, saturated(count.actual()), count);
        }
        if (error instanceof ConnectionLostException) { // the same work may succeed on a new connection
            return new TransientDataAccessResourceException(message, error);
        }
        if (error instanceof QueryException || error instanceof MappingException) {
            return new InvalidDataAccessApiUsageException(message, error);
        }
        return new InvalidDataAccessResourceUsageException(message, error);
    }

    private static DataAccessException translate(R2dbcException error) {
        String state = error.getSqlState();
        if (state != null && (state.startsWith("08") || SERVER_GONE.contains(state))) {
            return new TransientDataAccessResourceException(message(error), error);
        }
        if (QUERY_CANCELED.equals(state)) {
            return new QueryTimeoutException(message(error), error);
        }
        if (error instanceof R2dbcBadGrammarException) { // Spring's message would leave out the driver's words
            return new BadSqlGrammarException(TASK + "; " + error.getMessage(),
                    error.getSql() != null ? error.getSql() : "", error);
        }
        return ConnectionFactoryUtils.convertR2dbcException(TASK, error.getSql(), error);
    }

    /** As Spring Framework words a driver error: the task, the statement, the driver's message. */
    private static String message(R2dbcException error) {
        return TASK + "; " + (error.getSql() != null ? "SQL [" + error.getSql() + "]; " : "") + error.getMessage();
    }

    private static int saturated(long count) {
        return (int) Math.min(Integer.MAX_VALUE, count);
    }

    @Override
    public String toString() {
        return "SluiceExceptionTranslator";
    }
}
