package dev.tollgate.access;

import dev.tollgate.access.directory.Directory;
import dev.tollgate.access.directory.Page;
import dev.tollgate.access.directory.Scope;
import dev.tollgate.access.directory.Team;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;

/**
 * Every team's id and name, held in memory so the data plane can tell whether a team named by a JWT
 * exists without waiting on the database. Lookups return futures that are already complete while the
 * snapshot is fresh and answers; loads run on {@code loadExecutor} (virtual threads) and a lookup that
 * waits for one completes on that executor's thread.
 *
 * <p>A team is named by its id or, for tokens minted by identity providers that know only names, by
 * its name when exactly one team has it (names are unique per organisation, not across them).
 *
 * <p>Freshness: a snapshot older than {@code refresh} still answers while a reload runs behind the
 * caller, so a deleted team keeps working until that reload lands. A name the snapshot lacks (a team
 * created moments ago, possibly on another node) makes the caller wait for a reload, at most one per
 * {@code minReload}, so tokens naming made-up teams cannot turn into a query per request. When a load
 * fails the last snapshot stays in use; with none, lookups fail with {@link Unavailable}.
 *
 * <p>Thread-safe: the state is a few fields guarded by {@code this}, held only to read them or to start
 * a load, never across one. Concurrent lookups that need a load share the one in flight.
 */
public final class KnownTeams {
  private static final int PAGE = Page.Request.MAX_LIMIT;

  /** What a team name or id in a token refers to. */
  public sealed interface Resolution {
    /** Exactly one team. */
    record Found(String teamId) implements Resolution {}

    /** No team has this id or name. */
    record Unknown() implements Resolution {}

    /** Several teams (of different organisations) have this name, and no team has it as its id. */
    record Ambiguous(List<String> teamIds) implements Resolution {
      public Ambiguous {
        teamIds = List.copyOf(teamIds);
      }
    }
  }

  /** No snapshot was ever loaded and loading one failed. */
  public static final class Unavailable extends RuntimeException {
    Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private record Snapshot(Set<String> ids, Map<String, List<String>> idsByName, Map<String, String> orgById,
      Instant loadedAt) {
    Resolution resolve(String idOrName) {
      if (ids.contains(idOrName)) {
        return new Resolution.Found(idOrName);
      }
      List<String> named = idsByName.getOrDefault(idOrName, List.of());
      return switch (named.size()) {
        case 0 -> new Resolution.Unknown();
        case 1 -> new Resolution.Found(named.getFirst());
        default -> new Resolution.Ambiguous(named);
      };
    }
  }

  private final Directory directory;
  private final Executor loadExecutor;
  private final Clock clock;
  private final Duration refresh;
  private final Duration minReload;

  // @GuardedBy("this")
  private Snapshot snapshot;
  // @GuardedBy("this")
  private Instant lastAttempt = Instant.MIN;
  // @GuardedBy("this")
  private CompletableFuture<Snapshot> inFlight;
  // @GuardedBy("this")
  private long loads;

  public KnownTeams(Directory directory, Executor loadExecutor, Clock clock, Duration refresh, Duration minReload) {
    if (!refresh.isPositive() || minReload.isNegative() || minReload.compareTo(refresh) > 0) {
      throw new IllegalArgumentException("refresh: " + refresh + ", minReload: " + minReload
          + " (expected: refresh > 0, 0 <= minReload <= refresh)");
    }
    this.directory = directory;
    this.loadExecutor = loadExecutor;
    this.clock = clock;
    this.refresh = refresh;
    this.minReload = minReload;
  }

  /**
   * What {@code idOrName} names; completes exceptionally with {@link Unavailable} only when no snapshot
   * was ever loaded. Never blocks the caller.
   */
  public CompletableFuture<Resolution> resolve(String idOrName) {
    return lookup(s -> s.resolve(idOrName), found -> found instanceof Resolution.Found);
  }

  /**
   * The organisation of the team {@code teamId} (empty for an unknown team), under the same rules as
   * {@link #resolve}: budgets of organisations need it on the data plane.
   */
  public CompletableFuture<Optional<String>> organizationOf(String teamId) {
    return lookup(s -> Optional.ofNullable(s.orgById().get(teamId)), Optional::isPresent);
  }

  private <T> CompletableFuture<T> lookup(java.util.function.Function<Snapshot, T> read,
      java.util.function.Predicate<T> answers) {
    CompletableFuture<Snapshot> load;
    Snapshot cached;
    synchronized (this) {
      Instant now = clock.instant();
      cached = snapshot;
      boolean mayLoad = inFlight != null || !now.isBefore(lastAttempt.plus(minReload));
      if (cached != null) {
        T found = read.apply(cached);
        boolean fresh = now.isBefore(cached.loadedAt().plus(refresh));
        if (answers.test(found)) {
          if (!fresh && mayLoad) {
            // Stale but it answers: answer now and reload behind the caller.
            startLoad(now);
          }
          return CompletableFuture.completedFuture(found);
        }
        if (!mayLoad) {
          return CompletableFuture.completedFuture(found);
        }
      } else if (!mayLoad) {
        return CompletableFuture.failedFuture(new Unavailable(
            "teams cannot be read (the last load failed; retrying after " + minReload + ")", null));
      }
      load = startLoad(now);
    }
    return load.handle((loaded, failure) -> {
      if (loaded != null) {
        return read.apply(loaded);
      }
      if (cached != null) {
        return read.apply(cached);
      }
      throw new Unavailable("teams cannot be read: " + failure.getClass().getSimpleName(), failure);
    });
  }

  /** How many loads were started, for metrics and tests. */
  public synchronized long loads() {
    return loads;
  }

  // @GuardedBy("this")
  private CompletableFuture<Snapshot> startLoad(Instant now) {
    if (inFlight != null) {
      return inFlight;
    }
    lastAttempt = now;
    loads++;
    CompletableFuture<Snapshot> load = new CompletableFuture<>();
    inFlight = load;
    try {
      loadExecutor.execute(() -> loadInto(load));
    } catch (RejectedExecutionException e) {
      inFlight = null;
      load.completeExceptionally(e);
    }
    return load;
  }

  private void loadInto(CompletableFuture<Snapshot> load) {
    Snapshot loaded = null;
    Throwable failure = null;
    try {
      loaded = load();
    } catch (RuntimeException e) {
      failure = e;
    }
    // The state changes before the future completes, so whoever waits on it sees the new snapshot.
    synchronized (this) {
      if (loaded != null) {
        snapshot = loaded;
      }
      inFlight = null;
    }
    if (loaded != null) {
      load.complete(loaded);
    } else {
      load.completeExceptionally(failure instanceof CompletionException c && c.getCause() != null ? c.getCause()
          : failure);
    }
  }

  private Snapshot load() {
    Instant startedAt = clock.instant();
    List<Team> teams = new ArrayList<>();
    Optional<String> after = Optional.empty();
    do {
      Page<Team> page = directory.teams(Scope.everything(), Optional.empty(), new Page.Request(PAGE, after));
      teams.addAll(page.items());
      after = page.nextCursor();
    } while (after.isPresent());
    Map<String, List<String>> byName = new HashMap<>();
    for (Team team : teams) {
      byName.computeIfAbsent(team.name(), n -> new ArrayList<>()).add(team.id());
    }
    return new Snapshot(teams.stream().map(Team::id).collect(Collectors.toUnmodifiableSet()),
        byName.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> List.copyOf(e.getValue()))),
        teams.stream().collect(Collectors.toUnmodifiableMap(Team::id, Team::orgId)),
        // The start, not the end: a team deleted while the pages were read may still be in them.
        startedAt);
  }
}
