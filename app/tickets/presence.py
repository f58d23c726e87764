"""Who else has a ticket open: agents' heartbeats in a Redis sorted set per ticket.

Scores are the heartbeat times, so stale viewers fall out by score without a sweeper,
and every web process on every machine sees the same set.
"""
from __future__ import annotations

import time

from flask import current_app

from app.redis_conn import get_redis


def _key(ticket_id: int) -> str:
    return f"desk:presence:ticket:{ticket_id}"


def heartbeat(ticket_id: int, agent_id: int, agent_name: str) -> None:
    ttl = current_app.config["PRESENCE_TTL_SECONDS"]
    now = time.time()
    client = get_redis()
    pipe = client.pipeline()
    pipe.zadd(_key(ticket_id), {f"{agent_id}:{agent_name}": now})
    pipe.zremrangebyscore(_key(ticket_id), 0, now - ttl)
    pipe.expire(_key(ticket_id), ttl * 2)
    pipe.execute()


def leave(ticket_id: int, agent_id: int, agent_name: str) -> None:
    get_redis().zrem(_key(ticket_id), f"{agent_id}:{agent_name}")


def other_viewers(ticket_id: int, agent_id: int) -> list[str]:
    """Names of the other agents seen on this ticket within the TTL."""
    ttl = current_app.config["PRESENCE_TTL_SECONDS"]
    members = get_redis().zrangebyscore(_key(ticket_id), time.time() - ttl, "+inf")
    names = []
    for member in members:
        member_id, _, name = member.decode().partition(":")
        if member_id != str(agent_id):
            names.append(name)
    return sorted(names)
