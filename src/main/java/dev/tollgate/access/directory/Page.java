package dev.tollgate.access.directory;

import java.util.List;
import java.util.Optional;

/**
 * One page of a list ordered by id, and the cursor for the next page (absent on the last one).
 * Ids are time-ordered, so pages are stable while rows are added.
 */
public record Page<T>(List<T> items, Optional<String> nextCursor) {
  public Page {
    items = List.copyOf(items);
  }

  /** How many items and after which id: what a caller asks for. */
  public record Request(int limit, Optional<String> after) {
    public static final int MAX_LIMIT = 200;

    public Request {
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
      }
    }
  }

  /** The page from up to {@code limit + 1} rows fetched: the extra row only says there is more. */
  public static <T> Page<T> of(List<T> rows, Request request, java.util.function.Function<T, String> id) {
    if (rows.size() <= request.limit()) {
      return new Page<>(rows, Optional.empty());
    }
    List<T> items = rows.subList(0, request.limit());
    return new Page<>(items, Optional.of(id.apply(items.getLast())));
  }
}
