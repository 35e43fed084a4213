package dev.tollgate.store;

import java.sql.SQLException;

/** Reads a database failure the same way on SQLite and PostgreSQL. */
public final class Constraints {
  private static final String POSTGRES_UNIQUE_VIOLATION = "23505";
  private static final int SQLITE_CONSTRAINT = 19;

  private Constraints() {}

  /** Whether {@code failure} (or a cause) is a unique-constraint violation: the row already exists. */
  public static boolean isUniqueViolation(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        if (POSTGRES_UNIQUE_VIOLATION.equals(sql.getSQLState())) {
          return true;
        }
        if ((sql.getErrorCode() & 0xff) == SQLITE_CONSTRAINT && String.valueOf(sql.getMessage()).contains("UNIQUE")) {
          return true;
        }
      }
    }
    return false;
  }
}
