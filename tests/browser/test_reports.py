"""The dashboards in Chromium on the demo panel: charts drawn, tables filled; README screenshots."""
from __future__ import annotations

import pytest

from app.demo.loader import DEMO_PASSWORD, load_demo
from app.extensions import db

pytestmark = pytest.mark.browser


def log_in(page, base):
    page.goto(f"{base}/login")
    page.fill("#email", "agent@demo.test")
    page.fill("#password", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def drawn_canvases(page) -> list[int]:
    """Per canvas, how many pixels are not blank: Chart.js drew if it is more than a few."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('canvas[data-chart]')).map(c => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { ink++; } }
        return ink;
    })""")


@pytest.mark.parametrize("slug", ["refunds", "tickets", "money"])
def test_dashboards_draw_charts_from_the_demo(ctx, live_server, page_for, screenshot, slug):
    load_demo("http://127.0.0.1:9/api/v2", "demo-key")
    db.session.commit()
    page = page_for()
    errors = []
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    log_in(page, live_server)
    page.click("nav >> text=Reports")
    page.click(f".report-tabs >> text={slug.capitalize()}")
    page.wait_for_selector("canvas[data-drawn='1']")
    assert page.evaluate("() => typeof Chart === 'function' && document.querySelectorAll('canvas[data-chart]').length") == 3
    assert page.evaluate("() => Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => Chart.getChart(c))")
    ink = drawn_canvases(page)
    assert len(ink) == 3 and all(n > 500 for n in ink), ink
    assert page.locator("table[data-table] tbody tr").count() > 3
    assert errors == []
    screenshot(page, f"dashboard-{slug}")


def test_ticket_page_shows_signals(ctx, live_server, page_for, screenshot):
    load_demo("http://127.0.0.1:9/api/v2", "demo-key")
    db.session.commit()
    page = page_for()
    log_in(page, live_server)
    page.goto(f"{live_server}/desk/?status=all&signal=reused_screenshot")
    rows = page.locator("table.queue tbody tr[data-ticket]")
    assert rows.count() == 2
    rows.first.locator("a").first.click()
    page.wait_for_selector("#signals")
    assert "Reused screenshot" in page.locator("#signals").inner_text()
    page.locator("#signals").screenshot(path=_path("ticket-signals"))


def _path(name):
    import os
    from tests.browser.conftest import SCREENSHOTS
    return os.path.join(SCREENSHOTS, f"{name}.png")
