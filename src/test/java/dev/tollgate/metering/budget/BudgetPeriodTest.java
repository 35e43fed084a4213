package dev.tollgate.metering.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class BudgetPeriodTest {

  @ParameterizedTest(name = "{0} at {1}: [{2}, {3})")
  @CsvSource(nullValues = "none", textBlock = """
      DAILY,    2024-02-29T23:59:59.999Z, 2024-02-29T00:00:00Z, 2024-03-01T00:00:00Z
      DAILY,    2024-03-01T00:00:00Z,     2024-03-01T00:00:00Z, 2024-03-02T00:00:00Z
      DAILY,    2024-12-31T23:00:00Z,     2024-12-31T00:00:00Z, 2025-01-01T00:00:00Z
      DAILY,    2024-03-31T01:30:00Z,     2024-03-31T00:00:00Z, 2024-04-01T00:00:00Z
      DAILY,    2024-11-03T06:30:00Z,     2024-11-03T00:00:00Z, 2024-11-04T00:00:00Z
      WEEKLY,   2024-01-01T00:00:00Z,     2024-01-01T00:00:00Z, 2024-01-08T00:00:00Z
      WEEKLY,   2024-01-07T23:59:59Z,     2024-01-01T00:00:00Z, 2024-01-08T00:00:00Z
      WEEKLY,   2024-12-31T12:00:00Z,     2024-12-30T00:00:00Z, 2025-01-06T00:00:00Z
      WEEKLY,   2023-01-01T10:00:00Z,     2022-12-26T00:00:00Z, 2023-01-02T00:00:00Z
      WEEKLY,   2024-02-29T08:00:00Z,     2024-02-26T00:00:00Z, 2024-03-04T00:00:00Z
      WEEKLY,   2024-10-27T02:30:00Z,     2024-10-21T00:00:00Z, 2024-10-28T00:00:00Z
      MONTHLY,  2024-02-15T12:00:00Z,     2024-02-01T00:00:00Z, 2024-03-01T00:00:00Z
      MONTHLY,  2024-02-29T23:59:59Z,     2024-02-01T00:00:00Z, 2024-03-01T00:00:00Z
      MONTHLY,  2023-02-28T23:59:59Z,     2023-02-01T00:00:00Z, 2023-03-01T00:00:00Z
      MONTHLY,  2024-01-31T12:00:00Z,     2024-01-01T00:00:00Z, 2024-02-01T00:00:00Z
      MONTHLY,  2024-04-30T23:59:59.999Z, 2024-04-01T00:00:00Z, 2024-05-01T00:00:00Z
      MONTHLY,  2024-12-31T23:59:59.999Z, 2024-12-01T00:00:00Z, 2025-01-01T00:00:00Z
      MONTHLY,  2100-02-28T10:00:00Z,     2100-02-01T00:00:00Z, 2100-03-01T00:00:00Z
      LIFETIME, 2024-06-15T12:00:00Z,     1970-01-01T00:00:00Z, none
      LIFETIME, 1970-01-01T00:00:00Z,     1970-01-01T00:00:00Z, none
      """)
  void windowsAreCalendarUnitsInUtc(BudgetPeriod period, Instant now, Instant start, Instant end) {
    Instant windowStart = period.windowStart(now);
    assertThat(windowStart).isEqualTo(start);
    assertThat(period.windowEnd(windowStart)).isEqualTo(Optional.ofNullable(end));
  }

  @Test
  void daysAreAlways24HoursEvenAcrossDaylightSavingChangesElsewhere() {
    // 2024-03-10 (US) and 2024-03-31 (EU) are 23-hour days in local time; in UTC every day has 24 hours.
    for (String day : new String[] {"2024-03-10T12:00:00Z", "2024-03-31T12:00:00Z", "2024-10-27T12:00:00Z"}) {
      Instant start = BudgetPeriod.DAILY.windowStart(Instant.parse(day));
      assertThat(Duration.between(start, BudgetPeriod.DAILY.windowEnd(start).orElseThrow())).hasHours(24);
    }
  }

  @ParameterizedTest
  @EnumSource(value = BudgetPeriod.class, names = {"DAILY", "WEEKLY", "MONTHLY"})
  void windowsTileTimeWithoutGapsOrOverlaps(BudgetPeriod period) {
    Random random = new Random(20261126L + period.ordinal());
    for (int i = 0; i < 2_000; i++) {
      Instant now = Instant.ofEpochMilli(random.nextLong(0, 4_102_444_800_000L)); // 1970 .. 2100
      Instant start = period.windowStart(now);
      Instant end = period.windowEnd(start).orElseThrow();
      assertThat(start).as("start of %s", now).isBeforeOrEqualTo(now);
      assertThat(end).as("end of %s", now).isAfter(now);
      assertThat(start.atZone(ZoneOffset.UTC).toLocalTime()).isEqualTo(java.time.LocalTime.MIDNIGHT);
      // The next window starts exactly where this one ends, and the previous one ends where this starts.
      assertThat(period.windowStart(end)).isEqualTo(end);
      assertThat(period.windowEnd(period.windowStart(start.minusMillis(1))).orElseThrow()).isEqualTo(start);
      if (period == BudgetPeriod.WEEKLY) {
        assertThat(start.atZone(ZoneOffset.UTC).getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY);
      }
      if (period == BudgetPeriod.MONTHLY) {
        assertThat(start.atZone(ZoneOffset.UTC).getDayOfMonth()).isEqualTo(1);
      }
    }
  }

  @Test
  void parsesWireNames() {
    assertThat(BudgetPeriod.parse("Monthly")).contains(BudgetPeriod.MONTHLY);
    assertThat(BudgetPeriod.parse("yearly")).isEmpty();
    assertThat(BudgetPeriod.parse(null)).isEmpty();
  }
}
