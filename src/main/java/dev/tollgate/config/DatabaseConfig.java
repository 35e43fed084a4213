package dev.tollgate.config;

/** JDBC URL of the control-plane database (SQLite file or PostgreSQL) and its pool size. */
public record DatabaseConfig(String url, int maxPoolSize) {

  public boolean isSqlite() {
    return url.startsWith("jdbc:sqlite:");
  }

  public boolean isPostgres() {
    return url.startsWith("jdbc:postgresql:");
  }
}
