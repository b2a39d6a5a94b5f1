package dev.sluice.internal;

import dev.sluice.QueryException;

/**
 * Rewrites the {@code ?} placeholders of a user's SQL fragment to PostgreSQL's {@code $n}, skipping string
 * literals, quoted identifiers, dollar-quoted strings and comments. {@code ??} stands for a literal {@code ?}.
 */
final class Placeholders {

    private Placeholders() {
    }

    /** The rewritten SQL and the number of placeholders found. */
    record Rewritten(String sql, int count) {
    }

    /**
     * @param sql   the fragment
     * @param first the number of the first placeholder, e.g. 1 for {@code $1}
     * @param what  what the fragment is, for messages, e.g. {@code where("...")}
     */
    static Rewritten rewrite(String sql, int first, String what) {
        StringBuilder out = new StringBuilder(sql.length() + 8);
        int next = first;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'') {
                boolean escapes = i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                        && (i < 2 || !Character.isLetterOrDigit(sql.charAt(i - 2)));
                int end = endOfQuoted(sql, i, '\'', escapes, what);
                out.append(sql, i, end);
                i = end;
            } else if (c == '"') {
                int end = endOfQuoted(sql, i, '"', false, what);
                out.append(sql, i, end);
                i = end;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(sql, i, end);
                i = end;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = endOfBlockComment(sql, i, what);
                out.append(sql, i, end);
                i = end;
            } else if (c == '$') {
                int end = endOfDollarQuote(sql, i);
                if (end > i) {
                    out.append(sql, i, end);
                    i = end;
                } else if (i + 1 < n && Character.isDigit(sql.charAt(i + 1))
                        && (i == 0 || !Character.isLetterOrDigit(sql.charAt(i - 1)) && sql.charAt(i - 1) != '_')) {
                    throw new QueryException(what + ": found a positional parameter $" + sql.charAt(i + 1)
                            + "; write ? for each value instead, Sluice numbers them");
                } else {
                    out.append(c);
                    i++;
                }
            } else if (c == '?') {
                if (i + 1 < n && sql.charAt(i + 1) == '?') {
                    out.append('?');
                    i += 2;
                } else {
                    out.append('$').append(next++);
                    i++;
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return new Rewritten(out.toString(), next - first);
    }

    private static int endOfQuoted(String sql, int start, char quote, boolean backslashEscapes, String what) {
        int i = start + 1;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (backslashEscapes && c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        throw new QueryException(what + ": unterminated " + (quote == '\'' ? "string literal" : "quoted identifier")
                + " starting at position " + start + "; close it with " + quote);
    }

    private static int endOfBlockComment(String sql, int start, String what) {
        int depth = 0;
        int i = start;
        while (i < sql.length() - 1) {
            if (sql.charAt(i) == '/' && sql.charAt(i + 1) == '*') {
                depth++;
                i += 2;
            } else if (sql.charAt(i) == '*' && sql.charAt(i + 1) == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        throw new QueryException(what + ": unterminated /* comment starting at position " + start);
    }

    /** If a dollar-quoted string ($$...$$ or $tag$...$tag$) starts here, its end; otherwise {@code start}. */
    private static int endOfDollarQuote(String sql, int start) {
        int i = start + 1;
        while (i < sql.length() && (Character.isLetter(sql.charAt(i)) || sql.charAt(i) == '_'
                || (i > start + 1 && Character.isDigit(sql.charAt(i))))) {
            i++;
        }
        if (i >= sql.length() || sql.charAt(i) != '$') {
            return start;
        }
        String tag = sql.substring(start, i + 1);
        int close = sql.indexOf(tag, i + 1);
        return close < 0 ? start : close + tag.length();
    }
}
