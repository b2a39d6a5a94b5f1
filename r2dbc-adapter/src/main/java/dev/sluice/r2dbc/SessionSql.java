package dev.sluice.r2dbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.sluice.spi.RenderedSql;
import reactor.util.context.ContextView;

/**
 * The renderer of the statements that apply one subscriber's {@link SessionSettings} to a borrowed connection and
 * undo them: one {@code SELECT set_config($1, $2, is_local), ...} with every name and value bound, and for
 * session-level settings the matching {@code SELECT set_config($1, NULL, false), ...}, PostgreSQL's {@code RESET}
 * of each name. Connection state, like {@code BEGIN} and {@code COMMIT}, so it lives in the adapter; only bind
 * parameters vary, never SQL text. {@code SessionSqlTest} compares the exact text.
 */
final class SessionSql {

    /** No settings: nothing to apply or undo. */
    static final SessionSql NONE = new SessionSql(List.of());

    private final List<String> names;
    private final List<String> values;

    private SessionSql(List<Map.Entry<String, String>> settings) {
        List<String> n = new ArrayList<>(settings.size());
        List<String> v = new ArrayList<>(settings.size());
        for (Map.Entry<String, String> setting : settings) {
            n.add(setting.getKey());
            v.add(setting.getValue());
        }
        this.names = List.copyOf(n);
        this.values = List.copyOf(v);
    }

    /**
     * The settings for the subscriber whose context this is.
     *
     * @throws IllegalArgumentException for a null or empty name, or a null value
     */
    static SessionSql of(SessionSettings settings, ContextView context) {
        if (settings == SessionSettings.NONE) {
            return NONE;
        }
        Map<String, String> wanted = settings.settings(context);
        if (wanted == null) {
            throw new IllegalArgumentException("SessionSettings returned null; return an empty map for no settings");
        }
        if (wanted.isEmpty()) {
            return NONE;
        }
        List<Map.Entry<String, String>> entries = new ArrayList<>(wanted.size());
        for (Map.Entry<String, String> setting : wanted.entrySet()) {
            String name = setting.getKey();
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("SessionSettings gave a setting without a name (\""
                        + (name == null ? "null" : name) + "\" = " + setting.getValue()
                        + "); name a configuration parameter, such as app.tenant");
            }
            if (setting.getValue() == null) {
                throw new IllegalArgumentException("SessionSettings gave a null value for " + name + "; leave the "
                        + "setting out of the map instead");
            }
            entries.add(Map.entry(name, setting.getValue()));
        }
        return new SessionSql(entries);
    }

    boolean isEmpty() {
        return names.isEmpty();
    }

    /** Applies the settings: for the session, or ({@code local}) until the current transaction ends. */
    RenderedSql apply(boolean local) {
        StringBuilder sql = new StringBuilder("SELECT ");
        List<Object> bindings = new ArrayList<>(names.size() * 2);
        for (int i = 0; i < names.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("set_config($").append(2 * i + 1).append(", $").append(2 * i + 2)
                    .append(local ? ", true)" : ", false)");
            bindings.add(names.get(i));
            bindings.add(values.get(i));
        }
        return new RenderedSql(sql.toString(), bindings);
    }

    /** Resets each setting {@link #apply(boolean) applied} for the session to the value the connection started with. */
    RenderedSql reset() {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < names.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("set_config($").append(i + 1).append(", NULL, false)");
        }
        return new RenderedSql(sql.toString(), List.copyOf(names));
    }
}
