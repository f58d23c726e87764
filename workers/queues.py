"""Queue names, most urgent first: money before notifications before polling."""
from rq import Queue

from app.redis_conn import get_redis

QUEUE_NAMES = ("credits", "providers", "notifications", "intake", "polling")


def queue(name: str, app=None) -> Queue:
    return Queue(name, connection=get_redis(app))
