"""The demo provider speaks API v2 the way real providers do (reference §2.9), checked with raw requests."""
from __future__ import annotations

import pytest
import requests


def post(server, data=None, path="/api/v2", **kw):
    return requests.post(server.base_url + path, data=data, allow_redirects=False, timeout=5, **kw)


@pytest.mark.parametrize("path", ["/api/v2", "/api/v2/"])
def test_both_paths_answer_200_without_redirect(demo_server, demo_key, path):
    resp = post(demo_server, {"key": demo_key, "action": "balance"}, path=path)
    assert resp.status_code == 200 and not resp.history
    assert resp.json() == {"balance": "734.51862", "currency": "USD"}


def test_query_string_get_and_post(demo_server, demo_key):
    params = {"key": demo_key, "action": "balance"}
    assert requests.get(demo_server.url, params=params, timeout=5).json()["balance"] == "734.51862"
    assert requests.post(demo_server.url, params=params, timeout=5).json()["currency"] == "USD"


def test_json_body(demo_server, demo_key):
    ids = sorted(demo_server.state.orders)[:2]
    resp = requests.post(demo_server.url, json={"key": demo_key, "action": "status", "orders": ids}, timeout=5)
    assert set(resp.json()) == {str(i) for i in ids}
    resp = requests.post(demo_server.url, json={"key": demo_key, "action": "status", "order": ids[0]}, timeout=5)
    assert resp.json()["currency"] == "USD"


@pytest.mark.parametrize("data, message", [
    ({"key": "wrong", "action": "balance"}, "Invalid API key"),
    ({"action": "balance"}, "Invalid API key"),
    ({"key": "{key}"}, "Incorrect request"),
    ({"key": "{key}", "action": "launch_rockets"}, "Incorrect request"),
    ({"key": "{key}", "action": "status", "order": "1"}, "Incorrect order ID"),
    ({"key": "{key}", "action": "status", "order": "abc"}, "Incorrect order ID"),
    ({"key": "{key}", "action": "refill_status", "refill": "5"}, "Refill not found"),
    ({"key": "{key}", "action": "add", "service": "1"}, "Incorrect service ID"),
    ({"key": "{key}", "action": "status", "orders": ",".join(map(str, range(1, 102)))},
     "Maximum 100 IDs per request"),
])
def test_errors_are_http_200_with_only_an_error_key(demo_server, demo_key, data, message):
    data = {k: v.replace("{key}", demo_key) for k, v in data.items()}
    resp = post(demo_server, data)
    assert resp.status_code == 200
    assert resp.json() == {"error": message}


def test_exactly_100_ids_are_accepted(demo_server, demo_key):
    ids = sorted(demo_server.state.orders)[:100]
    resp = post(demo_server, {"key": demo_key, "action": "status", "orders": ",".join(map(str, ids))})
    assert len(resp.json()) == 100


def test_money_and_counts_are_strings(demo_server, demo_key, find_order):
    rec = find_order(lambda r, s: r["status"] == "Partial")
    single = post(demo_server, {"key": demo_key, "action": "status", "order": rec["order"]}).json()
    assert single == {"charge": rec["charge"], "start_count": str(rec["start_count"]), "status": "Partial",
                      "remains": str(rec["remains"]), "currency": "USD"}
    assert len(single["charge"].split(".")[1]) == 5
    service = post(demo_server, {"key": demo_key, "action": "services"}).json()[0]
    assert service == {"service": 101, "name": "Instagram Followers [30-day refill]", "type": "Default",
                       "category": "Instagram Followers", "rate": "0.9000", "min": "50", "max": "10000",
                       "refill": True, "cancel": True}


def test_batch_shapes_and_per_item_errors(demo_server, demo_key, refillable_order):
    key = demo_key
    known = refillable_order["order"]
    multi = post(demo_server, {"key": key, "action": "status", "orders": f"{known},10"}).json()
    assert multi["10"] == {"error": "Incorrect order ID"} and multi[str(known)]["status"] == "Completed"
    refills = post(demo_server, {"key": key, "action": "refill", "orders": f"{known},3"}).json()
    assert refills[1] == {"order": 3, "refill": {"error": "Incorrect order ID"}}
    rid = refills[0]["refill"]
    assert isinstance(rid, int)  # inside a multi-refill the ID is an int
    statuses = post(demo_server, {"key": key, "action": "refill_status", "refills": f"{rid},3"}).json()
    assert statuses == [{"refill": rid, "status": "Pending"},
                        {"refill": 3, "status": {"error": "Refill not found"}}]
    single = post(demo_server, {"key": key, "action": "refill_status", "refill": rid}).json()
    assert single == {"status": "Pending"}
    cancel = post(demo_server, {"key": key, "action": "cancel", "orders": "9"}).json()
    assert cancel == [{"order": 9, "cancel": {"error": "Incorrect order ID"}}]


def test_single_refill_id_is_a_string_and_add_order_an_int(demo_server, demo_key, refillable_order):
    key = demo_key
    order = post(demo_server, {"key": key, "action": "add", "service": "101",
                               "link": "https://instagram.com/a", "quantity": "100"}).json()["order"]
    assert isinstance(order, int)
    answer = post(demo_server, {"key": key, "action": "refill", "order": refillable_order["order"]}).json()
    assert answer == {"refill": "40001"}


def test_content_type_is_json_and_ua_is_not_filtered(demo_server, demo_key):
    resp = post(demo_server, {"key": demo_key, "action": "balance"},
                headers={"User-Agent": "Mozilla/4.0 (compatible; MSIE 5.01; Windows NT 5.0)"})
    assert resp.headers["Content-Type"].startswith("application/json")


def test_control_endpoint_needs_the_key(demo_server, demo_key):
    url = demo_server.base_url + "/_control/faults"
    assert requests.post(url, json={"http_500": True}, timeout=5).status_code == 403
    assert requests.post(url, json={"key": "nope", "http_500": True}, timeout=5).status_code == 403
    bad = requests.post(url, json={"key": demo_key, "explode": True}, timeout=5)
    assert bad.status_code == 400
    ok = requests.post(url, json={"http_500": True}, headers={"X-Demo-Key": demo_key}, timeout=5)
    assert ok.json()["http_500"] is True
    assert post(demo_server, {"key": demo_key, "action": "balance"}).status_code == 500
    requests.delete(url, headers={"X-Demo-Key": demo_key}, timeout=5)
    assert post(demo_server, {"key": demo_key, "action": "balance"}).status_code == 200


def test_control_clock_and_order_view(demo_server, demo_key, find_order):
    headers = {"X-Demo-Key": demo_key}
    base = demo_server.base_url
    clock = requests.post(base + "/_control/clock", json={"advance": 120}, headers=headers, timeout=5).json()
    assert clock["vnow"] == pytest.approx(120)
    rec = find_order(lambda r, s: r["status"] == "Completed")
    view = requests.get(f"{base}/_control/orders/{rec['order']}", headers=headers, timeout=5).json()
    assert view["current_count"] == rec["current_count"]
    assert requests.get(f"{base}/_control/orders/1", headers=headers, timeout=5).status_code == 404
