"""PyPI SMM clients (reference §4) work against the demo provider unchanged."""
from __future__ import annotations

import pytest


@pytest.fixture
def babismm(demo_server, demo_key):
    smm = pytest.importorskip("smm", reason="babismm is not installed")
    if not hasattr(smm, "SMMAPIError"):
        pytest.skip("'smm' is another package, not babismm")
    with smm.SMM(api_url=demo_server.url, api_key=demo_key, timeout=5) as client:
        yield smm, client


def test_babismm_every_method(babismm, demo_server, find_order, refillable_order):
    smm, client = babismm
    assert client.get_balance() == {"balance": "734.51862", "currency": "USD"}
    assert len(client.get_services()) == 10
    order = client.add_order(101, link="https://www.instagram.com/babis/", quantity=100)["order"]
    assert client.get_status(order)["status"] == "Pending"
    multi = client.get_multi_status([order, 5])
    assert multi["5"] == {"error": "Incorrect order ID"} and multi[str(order)]["remains"] == "100"
    refill = client.create_refill(refillable_order["order"])["refill"]
    assert client.get_refill_status(refill) == {"status": "Pending"}
    assert client.create_multi_refill([5])[0]["refill"] == {"error": "Incorrect order ID"}
    assert client.get_multi_refill_status([refill])[0]["status"] == "Pending"
    assert client.cancel_orders([order, 5])[0] == {"order": order, "cancel": 1}
    assert demo_server.key not in repr(client)


def test_babismm_error_types(babismm, demo_server):
    smm, client = babismm
    with pytest.raises(smm.SMMAPIError, match="Incorrect order ID"):
        client.get_status(1)
    demo_server.set_faults(http_500=True, remaining=1)
    with pytest.raises(smm.SMMNetworkError):
        client.get_balance()
    demo_server.set_faults(malformed_json=True, remaining=1)
    with pytest.raises(smm.SMMResponseError):
        client.get_balance()


def test_smmpy(demo_server, demo_key):
    smmpy = pytest.importorskip("smmpy", reason="smmpy is not installed")
    client = smmpy.smm(demo_server.url, demo_key)
    assert client.get_balance()["currency"] == "USD"
    order = client.add_order(201, "https://www.tiktok.com/@a/video/1", 1000)["order"]
    assert client.get_multi_status([order])[str(order)]["status"] == "Pending"
    with pytest.raises(Exception, match="Incorrect order ID"):
        client.get_status(1)


def test_safesmm(demo_server, demo_key):
    safesmm = pytest.importorskip("safesmm", reason="safesmm is not installed")
    client = safesmm.SafeSMM(demo_key, api_url=demo_server.url, timeout=5)
    assert client.balance()["balance"] == "734.51862"
    order = client.add_order(203, "https://www.youtube.com/watch?v=x", quantity=1000)["order"]
    assert client.status(order)["remains"] == "1000"
    assert client.multi_status([order, 2])["2"] == {"error": "Incorrect order ID"}
    assert client.cancel(order) == [{"order": order, "cancel": {"error": "Cancel is disabled for this service"}}]
    with pytest.raises(safesmm.SafeSMMError, match="Invalid API key"):
        safesmm.SafeSMM("wrong", api_url=demo_server.url).balance()
