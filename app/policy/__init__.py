"""The refund policy engine: pure Python, stdlib only (no flask, sqlalchemy, redis, requests).

    policy = load_policy("mysticsmm")          # or a path to a policy file
    verdict = decide(parse_case(data), policy)  # credit / cancel / refill / deny / review

Policies are TOML files in the repository's policies/ folder; see policies/README.md for the format.
"""
from app.policy.case import Case, Customer, Order, Payment, Service, parse_case
from app.policy.engine import decide
from app.policy.errors import CaseError, PolicyError
from app.policy.loader import list_policies, load_policy, parse_policy
from app.policy.model import Clause, Policy, PolicyVersion
from app.policy.verdict import Verdict
from app.policy.vocab import DECISIONS, KINDS, REASONS, STATUSES

__all__ = [
    "Case", "CaseError", "Clause", "Customer", "DECISIONS", "KINDS", "Order", "Payment", "Policy",
    "PolicyError", "PolicyVersion", "REASONS", "STATUSES", "Service", "Verdict", "decide",
    "list_policies", "load_policy", "parse_case", "parse_policy",
]
