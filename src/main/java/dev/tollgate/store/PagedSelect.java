package dev.tollgate.store;

import dev.tollgate.access.directory.Page;
import dev.tollgate.access.directory.Scope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;

/** A filtered, id-ordered, cursor-paged SELECT built from trusted fragments and bound values. */
final class PagedSelect {
  private final StringBuilder text;
  private final Map<String, Object> binds = new LinkedHashMap<>();
  private final Map<String, List<String>> lists = new LinkedHashMap<>();

  PagedSelect(String select) {
    this.text = new StringBuilder(select);
  }

  void and(String condition) {
    text.append(" AND ").append(condition);
  }

  void and(String condition, String name, Object value) {
    and(condition);
    binds.put(name, value);
  }

  void andList(String condition, String name, List<String> values) {
    and(condition);
    lists.put(name, values);
  }

  /**
   * Limits rows to the scope's teams, plus the owner's own rows: {@code teamCondition} holds an
   * {@code IN (<teams>)} list placeholder; {@code ownerColumn} is the owning user's column, or null
   * for rows without an owner. The organisation is the caller's to filter. False when nothing can match.
   */
  boolean visible(Scope scope, String teamCondition, String ownerColumn) {
    if (scope.teamIds().isEmpty()) {
      return true;
    }
    Set<String> teams = scope.teamIds().get();
    boolean own = scope.ownerId().isPresent() && ownerColumn != null;
    if (teams.isEmpty() && !own) {
      return false;
    }
    StringBuilder condition = new StringBuilder("(");
    if (teams.isEmpty()) {
      condition.append("1 = 0");
    } else {
      condition.append(teamCondition.replace("<teams>", "<scopeTeams>"));
      lists.put("scopeTeams", new ArrayList<>(teams));
    }
    if (own) {
      condition.append(" OR ").append(ownerColumn).append(" = :scopeOwner");
      binds.put("scopeOwner", scope.ownerId().get());
    }
    and(condition.append(")").toString());
    return true;
  }

  <T> Page<T> page(Jdbi jdbi, String idColumn, Page.Request page,
      RowMapper<T> mapper, Function<T, String> id) {
    page.after().ifPresent(after -> and(idColumn + " > :after", "after", after));
    text.append(" ORDER BY ").append(idColumn).append(" LIMIT :limit");
    binds.put("limit", page.limit() + 1);
    List<T> rows = jdbi.withHandle(h -> {
      Query q = h.createQuery(text.toString()).bindMap(binds);
      lists.forEach(q::bindList);
      return q.map(mapper).list();
    });
    return Page.of(rows, page, id);
  }
}
