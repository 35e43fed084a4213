package dev.tollgate.metering;

import dev.tollgate.metering.budget.BudgetRef;
import dev.tollgate.metering.budget.BudgetScope;
import dev.tollgate.metering.budget.Refused;
import dev.tollgate.metering.budget.Reservation;
import dev.tollgate.metering.budget.ReserveResult;
import dev.tollgate.metering.ledger.CallIntent;
import dev.tollgate.metering.limits.Permit;
import dev.tollgate.metering.limits.RateLimitStatus;
import dev.tollgate.routing.Deployment;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The running account of one admitted request: its rate-limit permit, and one {@link Ticket} per
 * upstream attempt (a retry, a fallback or a hedge is an attempt of its own, with its own budget hold
 * and its own usage event). Every ticket ends settled or abandoned; once the request has ended and the
 * last ticket is closed, the permit is settled with the tokens all attempts used.
 *
 * <p>Thread-safe: attempts settle on the event loop or, when tokens must be counted, on a virtual thread.
 */
public final class Tab {
  /** What a worst case is computed from: the touched budgets, the prompt as counted, the output cap. */
  record Bounds(List<BudgetScope> touched, long promptTokens, long maxOutputTokens) {}

  /** One attempt's share of the tab: the id its usage event will have and its budget hold. */
  public static final class Ticket {
    private final String eventId;
    private final Reservation hold;
    private boolean begun;
    private boolean closed;

    private Ticket(String eventId, Reservation hold) {
      this.eventId = eventId;
      this.hold = hold;
    }

    public String eventId() {
      return eventId;
    }
  }

  private final Meter meter;
  private final Permit permit;
  private final RateLimitStatus rateLimits;
  private final Bounds bounds;
  private final long countedPromptTokens;
  private Reservation admissionHold;
  // Attempts open and tokens used: counted only for a permit that holds something (see settle).
  private int open;
  private long usedTokens;
  private boolean requestEnded;
  private boolean permitSettled;

  Tab(Meter meter, Permit permit, RateLimitStatus rateLimits, Reservation admissionHold, Bounds bounds,
      long countedPromptTokens) {
    this.meter = meter;
    this.permit = permit;
    this.rateLimits = rateLimits;
    this.admissionHold = admissionHold;
    this.bounds = bounds;
    this.countedPromptTokens = countedPromptTokens;
  }

  /** Where the caller stood against its rate limits at admission (for OpenAI's {@code x-ratelimit-*} headers). */
  public RateLimitStatus rateLimits() {
    return rateLimits;
  }

  /** Prompt tokens counted at admission, or -1 when nothing needed them counted. */
  public long countedPromptTokens() {
    return countedPromptTokens;
  }

  /**
   * A ticket for the next attempt, to {@code deployment} of {@code model}: the first attempt takes the
   * hold made at admission; later ones reserve their own worst case, and get the {@link Refused} budget
   * when it cannot hold it.
   */
  public synchronized Next ticket(String eventId, String model, Deployment deployment) {
    if (admissionHold != null) {
      Reservation hold = admissionHold;
      admissionHold = null;
      open++;
      return new Next.Granted(new Ticket(eventId, hold));
    }
    List<BudgetRef> limiting = meter.budgets().budgetsOf(bounds.touched());
    long worst = limiting.isEmpty() ? 0 : meter.worstCaseMicros(model, deployment, bounds);
    ReserveResult reserved = meter.budgets().reserve(limiting, worst);
    if (reserved instanceof Refused refused) {
      return new Next.Denied(refused);
    }
    open++;
    return new Next.Granted(new Ticket(eventId, (Reservation) reserved));
  }

  /** A ticket for the next attempt, or the budget that refused one. */
  public sealed interface Next {
    record Granted(Ticket ticket) implements Next {}

    record Denied(Refused refused) implements Next {}
  }

  /** Writes the attempt's intent; the call may go out once the future completes. */
  public CompletableFuture<Void> begin(Ticket ticket, CallIntent intent) {
    synchronized (this) {
      ticket.begun = true;
    }
    return meter.ledger().begin(intent);
  }

  /** The attempt never reached its upstream: nothing is billed and its hold is released. */
  public void abandon(Ticket ticket) {
    boolean begun;
    long permitTokens;
    synchronized (this) {
      if (ticket.closed) {
        return;
      }
      ticket.closed = true;
      begun = ticket.begun;
      open--;
      permitTokens = finishing();
    }
    meter.budgets().release(ticket.hold);
    if (begun) {
      meter.ledger().abandon(ticket.eventId);
    }
    settlePermit(permitTokens);
  }

  /**
   * Bills the attempt: its usage event into the ledger, its actual cost in place of its hold. Returns
   * the event (the ledger write completes on its own; a failure is logged there).
   */
  public UsageEvent settle(Ticket ticket, CompletedCall call) {
    synchronized (this) {
      if (ticket.closed) {
        throw new IllegalStateException("attempt " + ticket.eventId + " settled twice");
      }
      ticket.closed = true;
    }
    UsageEvent event = meter.settlement().event(call, ticket.eventId);
    meter.ledger().end(event);
    meter.budgets().settle(ticket.hold, event.costMicros());
    if (permit.holdsNothing()) {
      return event; // no tokens to count for the permit, and no second lock for nothing
    }
    long permitTokens;
    // Still open until its tokens are added: the permit, if this finishes the request, is settled with them.
    synchronized (this) {
      open--;
      usedTokens += event.inputTokens() + event.outputTokens();
      permitTokens = finishing();
    }
    settlePermit(permitTokens);
    return event;
  }

  /** The request is over (answered, refused, or the client left); attempts may still be settling. */
  public void requestEnded() {
    Reservation unused;
    long permitTokens;
    synchronized (this) {
      if (requestEnded) {
        return;
      }
      requestEnded = true;
      unused = admissionHold;
      admissionHold = null;
      permitTokens = finishing();
    }
    if (unused != null) {
      meter.budgets().release(unused);
    }
    settlePermit(permitTokens);
  }

  /**
   * Whether the request is over and its last attempt closed, so that its permit is to be settled now: the
   * tokens to settle it with, once; -1 otherwise.
   */
  // @GuardedBy("this")
  private long finishing() {
    if (!requestEnded || open > 0 || permitSettled) {
      return -1;
    }
    permitSettled = true;
    return usedTokens;
  }

  /** Settles the permit outside the tab's lock: it touches the caller's shared rate-limit buckets. */
  private void settlePermit(long tokens) {
    if (tokens >= 0) {
      permit.settle(tokens);
    }
  }
}
