"""End to end in Chromium: a customer signs up and files a ticket with a screenshot;
an agent finds it in the queue, replies and resolves it; the customer sees the answer."""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from app.auth.services import find_user_by_email
from app.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def screenshot_file(tmp_path) -> str:
    image = Image.new("RGB", (800, 450), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 800, 60), fill=(64, 93, 230))
    draw.text((20, 100), "Followers: 1,520  (ordered 1,000 on a 1,000 base)", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format="PNG")
    path = tmp_path / "followers.png"
    path.write_bytes(out.getvalue())
    return str(path)


def sign_up(page, base):
    page.goto(f"{base}/signup")
    page.fill("#name", "Dana Customer")
    page.fill("#email", "dana@example.com")
    page.fill("#password", "a long password")
    page.fill("#confirm", "a long password")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/login")


def log_in(page, base, email, password):
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_customer_files_agent_resolves(live_server, page_for, screenshot, make_user, make_order, ctx, tmp_path):
    base = live_server
    agent = make_user("agent", email="sam@example.com", name="Sam Agent")
    customer_page = page_for()
    sign_up(customer_page, base)
    customer = find_user_by_email("dana@example.com")
    order = make_order(customer, status="Partial", remains=400, panel_id="SMM20001")  # the panel's own order
    log_in(customer_page, base, "dana@example.com", "a long password")

    customer_page.click("text=New ticket")
    customer_page.select_option("#kind", "refund")
    customer_page.select_option("#reason", "partial_delivery")
    customer_page.fill("#order_ids", "SMM20001 SMM99999")
    customer_page.fill("#subject", "Only 600 of 1000 followers arrived")
    customer_page.fill("#body", "The order stopped at 600. Please refund the rest.")
    customer_page.set_input_files("#screenshots", screenshot_file(tmp_path))
    customer_page.click("main form button[type=submit]")
    assert customer_page.locator(".field .error").inner_text() == "No order SMM99999 on your account."

    customer_page.fill("#order_ids", "SMM20001")
    customer_page.set_input_files("#screenshots", screenshot_file(tmp_path))
    screenshot(customer_page, "customer-new-ticket")
    customer_page.click("main form button[type=submit]")
    customer_page.wait_for_selector(".flash.success")
    assert "is filed" in customer_page.locator(".flash.success").inner_text()
    assert customer_page.locator("img.thumb").count() == 1
    ticket_url = customer_page.url

    agent_page = page_for()
    log_in(agent_page, base, agent.email, PASSWORD)
    agent_page.fill("input[name=order_id]", order.panel_id)
    agent_page.click("form.filters button[type=submit]")
    row = agent_page.locator("table.queue tbody tr", has_text="Only 600 of 1000 followers arrived")
    assert row.count() == 1
    row.locator("a").first.click()
    agent_page.wait_for_selector("img.thumb")
    assert agent_page.locator(".order-card", has_text="SMM20001").count() == 1
    assert agent_page.locator("img.thumb").evaluate("img => img.naturalWidth") > 0
    agent_page.click("button:has-text('Claim')")
    agent_page.wait_for_selector(".flash.success")
    agent_page.fill("#body", "We credited the 400 undelivered followers to your balance.")
    agent_page.select_option("#status", "resolved")
    screenshot(agent_page, "agent-ticket")
    agent_page.click("#reply button[type=submit]")
    agent_page.wait_for_selector(".flash.success")
    assert agent_page.locator(".page-head .badge").first.inner_text() == "Resolved"

    customer_page.goto(ticket_url)
    assert customer_page.locator(".message.from-agent").inner_text().count("We credited the 400") == 1
    assert customer_page.locator(".page-head .badge").inner_text() == "Resolved"
    screenshot(customer_page, "customer-ticket")
    db.session.expire_all()


def test_agent_sees_another_agent_on_the_same_ticket(live_server, page_for, make_user, make_order, ctx):
    from app.tickets import services

    customer = make_user("customer")
    order = make_order(customer)
    ticket = services.open_ticket(customer, kind="refill", reason="dropped", subject="Dropped",
                                  body="It dropped", order_ids=[order.panel_id])
    db.session.commit()
    first, second = page_for(), page_for()
    log_in(first, live_server, make_user("agent", name="Ann").email, PASSWORD)
    log_in(second, live_server, make_user("agent", name="Ben").email, PASSWORD)
    first.goto(f"{live_server}/desk/tickets/{ticket.id}")
    second.goto(f"{live_server}/desk/tickets/{ticket.id}")
    second.wait_for_selector("#presence:has-text('Ann')")
    first.reload()
    first.wait_for_selector("#presence:has-text('Ben')")


def test_demo_queue(live_server, page_for, screenshot, app, ctx):
    """The demo panel's queue, as a new agent sees it after `make run`."""
    from app.demo.loader import DEMO_PASSWORD

    app.test_cli_runner().invoke(args=["demo", "load"])
    page = page_for()
    log_in(page, live_server, "agent@demo.test", DEMO_PASSWORD)
    assert page.locator("table.queue tbody tr").count() >= 20
    assert page.locator("table.queue .badge.verdict-credit").count() > 0
    screenshot(page, "agent-queue", full_page=False)
