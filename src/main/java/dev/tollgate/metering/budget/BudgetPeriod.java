package dev.tollgate.metering.budget;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;

/**
 * How often a budget's spend starts again from zero.
 *
 * <p>Windows are computed in UTC, always. A gateway serves callers in many time zones and often runs
 * on several nodes; one fixed zone makes every node agree on when a window ends, and UTC has no
 * daylight-saving shifts, so every day is exactly 24 hours and no spend falls into a skipped or
 * repeated hour. Weeks are ISO weeks: they start on Monday at 00:00 UTC.
 */
public enum BudgetPeriod {
  DAILY, WEEKLY, MONTHLY, LIFETIME;

  /** The start of the window that contains {@code now}; {@link Instant#EPOCH} for a lifetime budget. */
  public Instant windowStart(Instant now) {
    LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
    LocalDate start = switch (this) {
      case DAILY -> day;
      case WEEKLY -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTHLY -> day.withDayOfMonth(1);
      case LIFETIME -> null;
    };
    return start == null ? Instant.EPOCH : start.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** When the window that starts at {@code windowStart} ends (exclusive); empty for a lifetime budget. */
  public Optional<Instant> windowEnd(Instant windowStart) {
    LocalDate start = LocalDate.ofInstant(windowStart, ZoneOffset.UTC);
    LocalDate end = switch (this) {
      case DAILY -> start.plusDays(1);
      case WEEKLY -> start.plusWeeks(1);
      case MONTHLY -> start.plusMonths(1);
      case LIFETIME -> null;
    };
    return Optional.ofNullable(end).map(d -> d.atStartOfDay(ZoneOffset.UTC).toInstant());
  }

  /** The lower-case name used in YAML and in the database. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The period named {@code name} (case-insensitive), if any. */
  public static Optional<BudgetPeriod> parse(String name) {
    if (name == null) {
      return Optional.empty();
    }
    for (BudgetPeriod p : values()) {
      if (p.wireName().equals(name.toLowerCase(Locale.ROOT))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
