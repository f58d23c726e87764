"""Fixtures for the policy engine tests (helpers live in support.py so test modules can import them)."""
from __future__ import annotations

import pytest

from tests.policy.support import make_case


@pytest.fixture
def case_factory():
    """Build a well-formed contract case: support.BASE_CASE with deep-merged overrides."""
    return make_case
