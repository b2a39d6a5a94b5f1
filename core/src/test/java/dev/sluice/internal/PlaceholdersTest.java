package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.QueryException;
import org.junit.jupiter.api.Test;

class PlaceholdersTest {

    private static Placeholders.Rewritten rewrite(String sql) {
        return Placeholders.rewrite(sql, 1, "where(\"" + sql + "\")");
    }

    @Test
    void numbersQuestionMarksFromTheGivenStart() {
        assertThat(Placeholders.rewrite("a = ? and b > ?", 3, "x").sql()).isEqualTo("a = $3 and b > $4");
        assertThat(rewrite("a = ? and b > ?").count()).isEqualTo(2);
    }

    @Test
    void skipsLiteralsIdentifiersCommentsAndDollarQuotes() {
        String sql = "a = '?' and \"we?ird\" = ? -- why?\n and b = $$?$$ and c = $t$ ? $t$ /* ? /* ? */ */ and d = ?";
        Placeholders.Rewritten r = rewrite(sql);
        assertThat(r.count()).isEqualTo(2);
        assertThat(r.sql()).isEqualTo("a = '?' and \"we?ird\" = $1 -- why?\n and b = $$?$$ and c = $t$ ? $t$ "
                + "/* ? /* ? */ */ and d = $2");
    }

    @Test
    void doubledQuotesAndBackslashEscapesStayInsideTheirLiteral() {
        assertThat(rewrite("a = 'it''s ?' and b = ?").sql()).isEqualTo("a = 'it''s ?' and b = $1");
        assertThat(rewrite("a = E'it\\'s ?' and b = ?").sql()).isEqualTo("a = E'it\\'s ?' and b = $1");
    }

    @Test
    void doubleQuestionMarkIsALiteralQuestionMark() {
        Placeholders.Rewritten r = rewrite("tags ?? ? and meta ??| ?");
        assertThat(r.sql()).isEqualTo("tags ? $1 and meta ?| $2");
        assertThat(r.count()).isEqualTo(2);
    }

    @Test
    void rejectsPositionalParametersAndUnterminatedLiterals() {
        assertThatThrownBy(() -> rewrite("a = $1"))
                .isInstanceOf(QueryException.class)
                .hasMessage("where(\"a = $1\"): found a positional parameter $1; write ? for each value instead, "
                        + "Sluice numbers them");
        assertThatThrownBy(() -> rewrite("a = 'oops"))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("unterminated string literal starting at position 4");
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
