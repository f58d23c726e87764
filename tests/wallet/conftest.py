"""Money tests run against a real demo provider over loopback and the real Redis of the suite."""
from tests.support.money_fixtures import calls, demo_service, fast, pick, provider  # noqa: F401  (fixtures)
