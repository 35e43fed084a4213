/**
 * Hard budgets: a call's worst-case cost is reserved against every budget it touches (key, user, team,
 * organisation) before it runs, and settled to its real cost after. {@link
 * dev.tollgate.metering.budget.BudgetService} is the request path's entry point, {@link
 * dev.tollgate.metering.budget.BudgetStore} the accounting, {@link
 * dev.tollgate.metering.budget.LocalBudgetStore} its single-node implementation.
 */
package dev.tollgate.metering.budget;
