"""What each dashboard shows: tables (also the CSV exports) and chart data, built from the services.

A page's tables are lists of display strings, rendered by one template loop and written by one
CSV writer, so the download is the page's table cell for cell.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.db import format_money
from app.reports import money, refunds, tickets
from app.reports.periods import Period, percent
from app.tickets.models import KINDS, STATUS_LABELS


@dataclass
class Table:
    slug: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Page:
    slug: str
    title: str
    tables: list[Table]
    charts: list[dict] = field(default_factory=list)
    cards: list[tuple[str, str]] = field(default_factory=list)

    def table(self, slug: str) -> Table | None:
        return next((t for t in self.tables if t.slug == slug), None)


def chart(chart_id: str, kind: str, title: str, labels: list, datasets: list[dict], **options) -> dict:
    """One chart for reports.js: Chart.js type, labels and datasets (numbers only)."""
    return {"id": chart_id, "type": kind, "title": title, "labels": labels, "datasets": datasets, **options}


def _pct_number(value) -> float | None:
    return None if value is None else round(float(value) * 100, 2)


# -- refunds -------------------------------------------------------------------------------

RATE_HEADERS = ["Orders", "Charged", "Refunded orders", "Refunded", "Refund rate (amount)", "Refund rate (orders)"]


def _figures_cells(f: refunds.Figures) -> list[str]:
    return [str(f.orders), format_money(f.charged), str(f.refunded_orders), format_money(f.refunded),
            percent(f.amount_rate), percent(f.order_rate)]


def _jump_cells(jump: refunds.Jump | None) -> list[str]:
    if jump is None:
        return ["—", "—", ""]
    return [percent(jump.recent.amount_rate), percent(jump.baseline.amount_rate), "JUMP" if jump.is_flagged else ""]


def _rate_table(slug: str, title: str, rows: list[refunds.RateRow], first: list[str]) -> Table:
    headers = first + RATE_HEADERS + ["Last 7 days", "28 days before", "Flag"]
    body = [([r.name, r.provider] if len(first) == 2 else [r.name]) + _figures_cells(r.figures) + _jump_cells(r.jump)
            for r in rows]
    return Table(slug, title, headers, body)


def refunds_page(period: Period, now: datetime) -> Page:
    segments = refunds.both_segments(period)
    services, providers = segments["service"], segments["provider"]
    overall = refunds.overall_trend(services, period)
    labels = [b.isoformat() for b, _ in overall]
    trend = Table("trend", f"Whole panel per {period.granularity}", ["Period start"] + RATE_HEADERS,
                  [[b.isoformat()] + _figures_cells(f) for b, f in overall])
    top = services[:5]
    charts = [
        chart("refund-trend", "line", "Refund rate, whole panel (%)", labels, [
            {"label": "Amount", "data": [_pct_number(f.amount_rate) for _, f in overall]},
            {"label": "Orders", "data": [_pct_number(f.order_rate) for _, f in overall]}]),
        chart("refund-providers", "bar", "Refund rate by provider (%)", [p.name for p in providers], [
            {"label": "Amount", "data": [_pct_number(p.figures.amount_rate) for p in providers]},
            {"label": "Orders", "data": [_pct_number(p.figures.order_rate) for p in providers]}]),
        chart("refund-services", "line", "Refunded amount by service (top 5)", labels, [
            {"label": s.name, "data": [float(s.trend[b].refunded) if b in s.trend else 0 for b in period.buckets()]}
            for s in top]),
    ]
    flagged = [r.name for r in services + providers if r.jump and r.jump.is_flagged]
    totals = refunds.Figures(sum(s.figures.orders for s in services), sum(s.figures.charged for s in services),
                             sum(s.figures.refunded_orders for s in services), sum(s.figures.refunded for s in services))
    cards = [("Charged", format_money(totals.charged)), ("Refunded", format_money(totals.refunded)),
             ("Refund rate", percent(totals.amount_rate)), ("Jump flags", str(len(flagged)))]
    tables = [_rate_table("services", "By service", services, ["Service", "Provider"]),
              _rate_table("providers", "By provider", providers, ["Provider"]), trend]
    return Page("refunds", "Refund rates", tables, charts, cards)


# -- tickets -------------------------------------------------------------------------------

def tickets_page(period: Period, now: datetime) -> Page:
    backlog = tickets.backlog()
    sla = tickets.sla(period, now)
    agents = tickets.throughput(period)
    flow = tickets.flow(period)
    backlog_table = Table("backlog", "Backlog now (active tickets)", ["Status"] + [k.capitalize() for k in KINDS] + ["Total"],
                          [[STATUS_LABELS[s]] + [str(n) for n in row.values()] + [str(sum(row.values()))]
                           for s, row in backlog.items()])
    sla_table = Table("sla", "Against SLA (tickets created in the period)",
                      ["Target", "Done", "On time", "Breaches", "Within SLA", "Median", "p90"],
                      [[f.name, str(f.done), str(f.on_time), str(f.breaches), percent(f.within_rate),
                        tickets.hours(f.median), tickets.hours(f.p90)] for f in sla])
    agent_table = Table("agents", "Resolved per agent", ["Agent", "Resolved", "Resolved on time"],
                        [[a.name, str(a.resolved), str(a.resolved_on_time)] for a in agents])
    flow_table = Table("flow", f"Created and resolved per {period.granularity}", ["Period start", "Created", "Resolved"],
                       [[b.isoformat(), str(c), str(r)] for b, c, r in flow])
    labels = [b.isoformat() for b, _, _ in flow]
    charts = [
        chart("ticket-backlog", "bar", "Backlog by status and type", [STATUS_LABELS[s] for s in backlog],
              [{"label": k.capitalize(), "data": [backlog[s][k] for s in backlog]} for k in KINDS], stacked=True),
        chart("ticket-flow", "line", "Created and resolved", labels, [
            {"label": "Created", "data": [c for _, c, _ in flow]}, {"label": "Resolved", "data": [r for _, _, r in flow]}]),
        chart("ticket-agents", "bar", "Resolved per agent", [a.name for a in agents],
              [{"label": "Resolved", "data": [a.resolved for a in agents]}]),
    ]
    active = sum(sum(row.values()) for row in backlog.values())
    cards = [("Active tickets", str(active))] + [(f"{f.name} within SLA", percent(f.within_rate)) for f in sla]
    return Page("tickets", "Tickets and SLA", [backlog_table, sla_table, agent_table, flow_table], charts, cards)


# -- money ---------------------------------------------------------------------------------

def money_page(period: Period, now: datetime) -> Page:
    days = money.executed(period)
    failed = money.failed_counts(period)
    approvals = money.approvals(period)
    executed = Table("executed", f"Actions executed per {period.granularity}",
                     ["Period start", "Credits", "Credited", "Refills", "Cancels"],
                     [[d.day.isoformat(), str(d.counts["credit"]), format_money(d.credited),
                       str(d.counts["provider_refill"]), str(d.counts["provider_cancel"])] for d in days])
    failed_table = Table("failed", "Failed actions", ["Action", "State", "Count"],
                         [[k, s, str(n)] for (k, s), n in sorted(failed.items())])
    approval_table = Table("approvals", "Approvals", ["Approvals", "Auto-approved", "Overridden", "Auto-approved share"],
                           [[str(approvals.total), str(approvals.auto), str(approvals.overridden),
                             percent(approvals.auto_share)]])
    latest = Table("latest_failed", "Latest failed actions", ["Action", "Kind", "State", "Ticket", "Attempts", "Error", "Updated"],
                   [[str(a.id), a.kind, a.state, f"#{a.ticket_id}" if a.ticket_id else "—", str(a.attempts),
                     (a.last_error or "")[:120], a.updated_at.strftime("%Y-%m-%d %H:%M")]
                    for a in money.failed_actions(period)])
    labels = [d.day.isoformat() for d in days]
    charts = [
        chart("money-actions", "bar", "Actions executed", labels,
              [{"label": label, "data": [d.counts[kind] for d in days]}
               for kind, label in (("credit", "Credits"), ("provider_refill", "Refills"), ("provider_cancel", "Cancels"))],
              stacked=True),
        chart("money-credited", "line", "Credited amount", labels, [{"label": "Credited", "data": [float(d.credited) for d in days]}]),
        chart("money-approvals", "doughnut", "Approvals", ["Auto-approved", "By an agent"],
              [{"label": "Approvals", "data": [approvals.auto, approvals.total - approvals.auto]}]),
    ]
    cards = [("Credited", format_money(sum((d.credited for d in days), money.ZERO))),
             ("Failed actions", str(sum(failed.values()))), ("Auto-approved", percent(approvals.auto_share))]
    return Page("money", "Money and actions", [executed, failed_table, approval_table, latest], charts, cards)


PAGES = {"refunds": refunds_page, "tickets": tickets_page, "money": money_page}
