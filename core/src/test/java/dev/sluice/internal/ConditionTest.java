package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.QueryException;
import org.junit.jupiter.api.Test;

/** A {@code where(..)} fragment with its values: refused when empty, when its values do not match its placeholders. */
class ConditionTest {

    @Test
    void emptyFragmentsSayWhatToWrite() {
        assertThatThrownBy(() -> Condition.of(" ", new Object[0])).isInstanceOf(QueryException.class)
                .hasMessage("where(\" \"): the condition is empty; write one, e.g. where(\"id = ?\", 42)");
        assertThatThrownBy(() -> Condition.ofWrite("", new Object[0])).isInstanceOf(QueryException.class)
                .hasMessage("where(\"\"): the condition is empty; write one, e.g. where(\"id = ?\", 42), or call "
                        + "executeOnAllRows() if every row is meant");
        assertThatThrownBy(() -> Condition.renderAlone("\n", new Object[0], "query(Item.class, \"\n\")"))
                .isInstanceOf(QueryException.class)
                .hasMessage("query(Item.class, \"\n\"): the SQL is empty; write a select, e.g. \"select id, name from "
                        + "item\"");
    }

    @Test
    void conditionChecksTheNumberOfValues() {
        assertThatThrownBy(() -> Condition.of("a = ? and b = ?", new Object[] {1}))
                .isInstanceOf(QueryException.class)
                .hasMessage("where(\"a = ? and b = ?\"): has 2 placeholders but 1 value was given; pass one value per ?");
        assertThatThrownBy(() -> Condition.of("a = ?", new Object[] {null}))
                .isInstanceOf(QueryException.class)
                .hasMessage("where(\"a = ?\"): value 1 is null; SQL '= NULL' matches nothing, write 'column is null' "
                        + "in the condition instead");
    }
}
