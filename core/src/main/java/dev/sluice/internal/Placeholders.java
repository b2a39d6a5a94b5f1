package dev.sluice.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import dev.sluice.QueryException;

/**
 * The one lexer every SQL fragment of a user's passes through ({@code where}, {@code set}, {@code query} SQL): it
 * rewrites the {@code ?} placeholders to PostgreSQL's {@code $n} ({@code ??} stands for a literal {@code ?}), and it
 * refuses whatever could change the shape of the statement the fragment is put into, each with a message that says
 * how to fix it:
 * <ul>
 *   <li>a comment ({@code --} or {@code /*}), which could hide the SQL after the fragment;</li>
 *   <li>a {@code ;} outside quotes, which would end the statement and start another;</li>
 *   <li>a parenthesis closed that the fragment did not open, or one it never closes, which could close or leave
 *       open the parentheses Sluice puts around the fragment ({@code WHERE (a) OR (true)});</li>
 *   <li>a string literal or quoted identifier never closed;</li>
 *   <li>a dollar-quoted string ({@code $$...$$}), and a {@code \'} in a standard string literal: PostgreSQL reads
 *       the latter differently depending on {@code standard_conforming_strings}, so this lexer could not know where
 *       the literal ends;</li>
 *   <li>a positional parameter ({@code $1}): Sluice numbers the placeholders.</li>
 * </ul>
 * It reads as PostgreSQL's lexer does: identifiers (which may hold {@code $}), string literals ({@code E'...'} with
 * backslash escapes, {@code ''} doubled quotes) and quoted identifiers ({@code ""} doubled) are skipped whole, so
 * the same characters inside them are harmless and accepted. Positions in messages count characters from 1, as
 * PostgreSQL's do.
 */
final class Placeholders {

    private Placeholders() {
    }

    /**
     * The rewritten SQL, the number of placeholders found, and where the fragment has commas outside quotes and
     * parentheses (indexes into the original fragment), which separate the assignments of a {@code set}.
     */
    record Rewritten(String sql, int count, List<Integer> commas) {
        Rewritten {
            commas = List.copyOf(commas);
        }
    }

    /**
     * @param sql   the fragment
     * @param first the number of the first placeholder, e.g. 1 for {@code $1}
     * @param what  what the fragment is, for messages, e.g. {@code where("...")}
     * @throws QueryException if the fragment could change the shape of the statement around it
     */
    static Rewritten rewrite(String sql, int first, String what) {
        StringBuilder out = new StringBuilder(sql.length() + 8);
        Deque<Integer> open = new ArrayDeque<>();
        List<Integer> commas = new ArrayList<>();
        int next = first;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            char following = i + 1 < n ? sql.charAt(i + 1) : '\0';
            int end;
            if (identifierStart(c)) {
                end = i + 1;
                while (end < n && identifierPart(sql.charAt(end))) {
                    end++;
                }
                if (end == i + 1 && (c == 'E' || c == 'e') && end < n && sql.charAt(end) == '\'') {
                    end = endOfString(sql, end, true, what); // E'...': backslash escapes
                }
            } else if (c == '\'') {
                end = endOfString(sql, i, false, what);
            } else if (c == '"') {
                end = endOfIdentifier(sql, i, what);
            } else if (c == '-' && following == '-' || c == '/' && following == '*') {
                throw new QueryException(what + ": a " + c + following + " comment at character " + (i + 1)
                        + " could hide the rest of the statement; remove the comment");
            } else if (c == ';') {
                throw new QueryException(what + ": a ; at character " + (i + 1) + " would end the statement; remove "
                        + "it, and pass any values as ? parameters");
            } else if (c == '$') {
                if (following >= '0' && following <= '9') {
                    throw new QueryException(what + ": found a positional parameter $" + following + "; write ? for "
                            + "each value instead, Sluice numbers them");
                }
                if (dollarQuoteStarts(sql, i)) {
                    throw new QueryException(what + ": the dollar-quoted string at character " + (i + 1) + " is not "
                            + "accepted here; write it as a 'string', or pass the value as a ? parameter");
                }
                end = i + 1;
            } else if (c == '?') {
                if (following == '?') {
                    out.append('?');
                    i += 2;
                } else {
                    out.append('$').append(next++);
                    i++;
                }
                continue;
            } else {
                if (c == '(') {
                    open.push(i);
                } else if (c == ')') {
                    if (open.isEmpty()) {
                        throw new QueryException(what + ": the ) at character " + (i + 1) + " closes a parenthesis "
                                + "the fragment did not open; balance the parentheses");
                    }
                    open.pop();
                } else if (c == ',' && open.isEmpty()) {
                    commas.add(i);
                }
                end = i + 1;
            }
            out.append(sql, i, end);
            i = end;
        }
        if (!open.isEmpty()) {
            throw new QueryException(what + ": the ( at character " + (open.getLast() + 1) + " is never closed; "
                    + "balance the parentheses");
        }
        return new Rewritten(out.toString(), next - first, commas);
    }

    /** PostgreSQL's ident_start: a letter, {@code _}, or any non-ASCII character. */
    private static boolean identifierStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80;
    }

    /** PostgreSQL's ident_cont: also digits and {@code $}. */
    private static boolean identifierPart(char c) {
        return identifierStart(c) || c >= '0' && c <= '9' || c == '$';
    }

    /**
     * The end (exclusive) of the string literal whose opening quote is at {@code start}.
     *
     * @param escapes whether backslashes escape (an {@code E'...'} literal)
     */
    private static int endOfString(String sql, int start, boolean escapes, String what) {
        int i = start + 1;
        int backslashes = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (escapes && c == '\\') {
                i += 2;
                continue;
            }
            if (c == '\'') {
                if (backslashes % 2 == 1) {
                    throw new QueryException(what + ": the string literal at character " + (start + 1) + " has a \\' "
                            + "that PostgreSQL reads differently depending on standard_conforming_strings; write '' "
                            + "for a quote inside a string, or pass the value as a ? parameter");
                }
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '\'') {
                    i += 2;
                    backslashes = 0;
                    continue;
                }
                return i + 1;
            }
            backslashes = c == '\\' ? backslashes + 1 : 0;
            i++;
        }
        throw new QueryException(what + ": the string literal at character " + (start + 1) + " is never closed; "
                + "close it with ', or pass the value as a ? parameter");
    }

    private static int endOfIdentifier(String sql, int start, String what) {
        int i = start + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == '"') {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == '"') {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw new QueryException(what + ": the quoted identifier at character " + (start + 1) + " is never closed; "
                + "close it with \"");
    }

    /** Whether a dollar-quote delimiter ({@code $$} or {@code $tag$}) starts at {@code start}. */
    private static boolean dollarQuoteStarts(String sql, int start) {
        int i = start + 1;
        if (i < sql.length() && identifierStart(sql.charAt(i))) {
            i++;
            while (i < sql.length() && identifierPart(sql.charAt(i)) && sql.charAt(i) != '$') {
                i++;
            }
        }
        return i < sql.length() && sql.charAt(i) == '$';
    }
}
