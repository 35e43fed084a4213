package dev.tollgate.audit;

import java.util.List;
import java.util.OptionalLong;

/**
 * One page of a query.
 *
 * @param next the cursor for the following page (pass it as {@code after}); empty on the last page
 */
public record AuditPage(List<AuditEntry> entries, OptionalLong next) {
  public AuditPage {
    entries = List.copyOf(entries);
  }
}
