"""Passenger notices through a transactional outbox.

- outbox: `queue_notice`, inside the write whose change the notice tells of.
- worker: `deliver_pending` (at least once, idempotent, SKIP LOCKED), the `DeliveryAdapter`
  seam for e-mail or SMS and the demo's `DemoAdapter`; `python -m services.notifications deliver`.
- sent: `messages_sent`, the "messages sent" view."""

from services.notifications.outbox import queue_notice
from services.notifications.sent import NoticeStatus, SentMessage, messages_sent
from services.notifications.worker import (
    MAX_ATTEMPTS,
    DeliveryAdapter,
    DeliveryRun,
    DemoAdapter,
    deliver_pending,
    retry_delay,
)

__all__ = [
    "MAX_ATTEMPTS",
    "DeliveryAdapter",
    "DeliveryRun",
    "DemoAdapter",
    "NoticeStatus",
    "SentMessage",
    "deliver_pending",
    "messages_sent",
    "queue_notice",
    "retry_delay",
]
