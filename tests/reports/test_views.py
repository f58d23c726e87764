"""The dashboards: who may see them, the period form, and CSV downloads equal to the page's tables."""
from __future__ import annotations

import csv
import io

import pytest

from app.extensions import db
from app.reports.pages import PAGES
from tests.reports.support import order, page_tables, provider_with_services, refund
from tests.reports.test_tickets_money import desk  # noqa: F401  (fixture)

ARGS = "from=2026-03-01&to=2026-03-10"


@pytest.fixture
def figures(make_user, desk):  # noqa: F811
    customer = make_user()
    s1, s2 = provider_with_services("Alpha", "Followers", "=HYPERLINK(\"x\")")
    o1 = order(customer, s1, "2026-03-01 10:00", "10.00", "Canceled")
    order(customer, s2, "2026-03-02 10:00", "3.33333")
    refund(o1, "2026-03-02 09:00", "10.00")
    db.session.commit()


@pytest.mark.parametrize("slug", list(PAGES))
@pytest.mark.parametrize("by", ["day", "week"])
def test_csv_matches_the_page(figures, make_user, login, client, slug, by):
    login(make_user("agent"))
    page = client.get(f"/desk/reports/{slug}?{ARGS}&by={by}")
    assert page.status_code == 200
    tables = page_tables(page.get_data(as_text=True))
    assert tables
    for table, rows in tables.items():
        download = client.get(f"/desk/reports/{slug}/{table}.csv?{ARGS}&by={by}")
        assert download.status_code == 200 and download.mimetype == "text/csv"
        assert f"{slug}-{table}-2026-03-01-2026-03-10-{by}.csv" in download.headers["Content-Disposition"]
        parsed = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
        assert [[c.lstrip("'") for c in row] for row in parsed] == rows, table


def test_figures_on_the_refunds_page(figures, make_user, login, client):
    login(make_user("agent"))
    tables = page_tables(client.get(f"/desk/reports/refunds?{ARGS}").get_data(as_text=True))
    services = {row[0]: row for row in tables["services"][1:]}
    assert services["Followers"][2:8] == ["1", "10.00", "1", "10.00", "100.0%", "100.0%"]
    assert tables["providers"][1][:7] == ["Alpha", "2", "13.33333", "1", "10.00", "75.0%", "50.0%"]
    assert len(tables["trend"]) == 1 + 10


def test_csv_cells_cannot_start_formulas(figures, make_user, login, client):
    login(make_user("agent"))
    text = client.get(f"/desk/reports/refunds/services.csv?{ARGS}").get_data(as_text=True)
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text


def test_tickets_page_figures(figures, make_user, login, client):
    login(make_user("agent"))
    tables = page_tables(client.get(f"/desk/reports/tickets?{ARGS}").get_data(as_text=True))
    assert tables["agents"][1:] == [["Ann", "2", "1"], ["Bob", "1", "1"]]
    # judged at today's clock, ticket #4 (due 21 March) is overdue too: 3 breaches, not 2
    assert tables["sla"][1][:5] == ["First response", "2", "1", "3", "25.0%"]


def test_charts_are_a_json_block_and_static_files(figures, make_user, login, client):
    login(make_user("agent"))
    html = client.get(f"/desk/reports/refunds?{ARGS}").get_data(as_text=True)
    assert '<script type="application/json" id="report-charts">' in html
    assert "/static/vendor/chart.js/chart.umd.min.js" in html and "/static/js/reports.js" in html
    assert "<script>" not in html and "style=" not in html
    assert client.get("/static/vendor/chart.js/chart.umd.min.js").status_code == 200


@pytest.mark.parametrize("path", ["/desk/reports/", "/desk/reports/refunds", "/desk/reports/money/executed.csv"])
def test_customers_get_404(make_user, login, client, path):
    login(make_user())
    assert client.get(path).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get("/desk/reports/tickets")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("query, status", [
    ("from=2026-03-10&to=2026-03-01", 422), ("from=yesterday", 422), ("by=month", 422),
    ("from=2024-01-01&to=2026-01-01", 422), ("by=week", 200)])
def test_period_validation(make_user, login, client, query, status):
    login(make_user("agent"))
    assert client.get(f"/desk/reports/refunds?{query}").status_code == status


def test_unknown_page_and_table(make_user, login, client):
    login(make_user("agent"))
    assert client.get("/desk/reports/nope").status_code == 404
    assert client.get("/desk/reports/refunds/nope.csv").status_code == 404


def test_admins_see_reports_and_the_nav_link(make_user, login, client):
    login(make_user("admin"))
    page = client.get("/desk/reports/", follow_redirects=True)
    assert page.status_code == 200 and 'href="/desk/reports/"' in page.get_data(as_text=True)
