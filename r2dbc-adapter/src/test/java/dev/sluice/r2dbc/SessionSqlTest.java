package dev.sluice.r2dbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.sluice.spi.RenderedSql;
import org.junit.jupiter.api.Test;
import reactor.util.context.Context;

/** The statements that apply and reset session settings, by exact text; names and values only as bind parameters. */
class SessionSqlTest {

    private static SessionSql of(Map<String, String> settings) {
        return SessionSql.of(context -> settings, Context.empty());
    }

    private static Map<String, String> tenantAndRole() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("role", "tenant_reader");
        settings.put("app.tenant", "acme'; DROP TABLE x; --");
        return settings;
    }

    @Test
    void appliesEverySettingInOneStatementInTheMapsOrder() {
        RenderedSql apply = of(tenantAndRole()).apply(false);
        assertThat(apply.sql()).isEqualTo("SELECT set_config($1, $2, false), set_config($3, $4, false)");
        assertThat(apply.bindings()).containsExactly("role", "tenant_reader", "app.tenant",
                "acme'; DROP TABLE x; --");
    }

    @Test
    void transactionLocalInsideATransaction() {
        assertThat(of(Map.of("search_path", "tenant_7")).apply(true).sql())
                .isEqualTo("SELECT set_config($1, $2, true)");
    }

    @Test
    void resetsEachNameToTheSessionDefault() {
        RenderedSql reset = of(tenantAndRole()).reset();
        assertThat(reset.sql()).isEqualTo("SELECT set_config($1, NULL, false), set_config($2, NULL, false)");
        assertThat(reset.bindings()).isEqualTo(List.of("role", "app.tenant"));
    }

    @Test
    void noSettingsNoStatements() {
        assertThat(of(Map.of()).isEmpty()).isTrue();
        assertThat(SessionSql.of(SessionSettings.NONE, Context.empty())).isSameAs(SessionSql.NONE);
    }

    @Test
    void readsTheSubscribersContext() {
        SessionSettings tenant = context -> Map.of("app.tenant", context.get("tenant"));
        assertThat(SessionSql.of(tenant, Context.of("tenant", "umbrella")).apply(false).bindings())
                .containsExactly("app.tenant", "umbrella");
    }

    @Test
    void refusesANullValueOrNameOrMap() {
        assertThatThrownBy(() -> of(Collections.singletonMap("app.tenant", null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SessionSettings gave a null value for app.tenant; leave the setting out of the map "
                        + "instead");
        assertThatThrownBy(() -> of(Collections.singletonMap(" ", "x")))
                .hasMessage("SessionSettings gave a setting without a name (\" \" = x); name a configuration parameter, "
                        + "such as app.tenant");
        assertThatThrownBy(() -> SessionSql.of(context -> null, Context.empty()))
                .hasMessage("SessionSettings returned null; return an empty map for no settings");
    }
}
