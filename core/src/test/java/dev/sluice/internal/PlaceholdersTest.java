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
    void skipsLiteralsAndQuotedIdentifiersWhoseContentIsHarmless() {
        String sql = "a = '? -- ; /* ( $$' and \"we?ird -- ; )\" = ? and b = E'it\\'s ? -- ;' and c = 'x''y ?' "
                + "and d = ? and e = '\\\\'";
        Placeholders.Rewritten r = rewrite(sql);
        assertThat(r.count()).isEqualTo(2);
        assertThat(r.sql()).isEqualTo("a = '? -- ; /* ( $$' and \"we?ird -- ; )\" = $1 and b = E'it\\'s ? -- ;' "
                + "and c = 'x''y ?' and d = $2 and e = '\\\\'");
    }

    @Test
    void identifiersMayHoldDollarsAndAreNotDollarQuotes() {
        assertThat(rewrite("a$b$ = ? and x$$ > ?").sql()).isEqualTo("a$b$ = $1 and x$$ > $2");
    }

    @Test
    void commasOutsideQuotesAndParenthesesAreReported() {
        assertThat(rewrite("a = f(1, 2), b = 'x,y', c = ?").commas()).containsExactly(11, 22);
    }

    @Test
    void doubleQuestionMarkIsALiteralQuestionMark() {
        Placeholders.Rewritten r = rewrite("tags ?? ? and meta ??| ?");
        assertThat(r.sql()).isEqualTo("tags ? $1 and meta ?| $2");
        assertThat(r.count()).isEqualTo(2);
    }

    @Test
    void refusesWhatCouldChangeTheShapeOfTheStatementAroundTheFragment() {
        refused("a = 1 -- note", "where(\"a = 1 -- note\"): a -- comment at character 7 could hide the rest of the "
                + "statement; remove the comment");
        refused("a = 1 /* note */", "where(\"a = 1 /* note */\"): a /* comment at character 7 could hide the rest of "
                + "the statement; remove the comment");
        refused("a = 1; drop table t", "where(\"a = 1; drop table t\"): a ; at character 6 would end the statement; "
                + "remove it, and pass any values as ? parameters");
        refused("a = 1) or (true", "where(\"a = 1) or (true\"): the ) at character 6 closes a parenthesis the fragment "
                + "did not open; balance the parentheses");
        refused("(a = 1 or (b = 2)", "where(\"(a = 1 or (b = 2)\"): the ( at character 1 is never closed; balance the "
                + "parentheses");
        refused("a = 'oops", "where(\"a = 'oops\"): the string literal at character 5 is never closed; close it with "
                + "', or pass the value as a ? parameter");
        refused("a = E'oops\\'", "where(\"a = E'oops\\'\"): the string literal at character 6 is never closed; "
                + "close it with ', or pass the value as a ? parameter");
        refused("\"a = 1", "where(\"\"a = 1\"): the quoted identifier at character 1 is never closed; close it with \"");
        refused("a = $$x$$", "where(\"a = $$x$$\"): the dollar-quoted string at character 5 is not accepted here; "
                + "write it as a 'string', or pass the value as a ? parameter");
        refused("a = $tag$x$tag$", "where(\"a = $tag$x$tag$\"): the dollar-quoted string at character 5 is not "
                + "accepted here; write it as a 'string', or pass the value as a ? parameter");
        refused("a = 1$x$ -- $x$", "where(\"a = 1$x$ -- $x$\"): the dollar-quoted string at character 6 is not "
                + "accepted here; write it as a 'string', or pass the value as a ? parameter");
        refused("a = 'x\\' or true or a = 'y'", "where(\"a = 'x\\' or true or a = 'y'\"): the string literal at "
                + "character 5 has a \\' that PostgreSQL reads differently depending on standard_conforming_strings; "
                + "write '' for a quote inside a string, or pass the value as a ? parameter");
        refused("a = $1", "where(\"a = $1\"): found a positional parameter $1; write ? for each value instead, "
                + "Sluice numbers them");
    }

    private static void refused(String sql, String message) {
        assertThatThrownBy(() -> rewrite(sql)).isInstanceOf(QueryException.class).hasMessage(message);
    }
}
