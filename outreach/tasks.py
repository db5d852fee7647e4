"""django-q2 entry points (thin): enqueued through core.queue.enqueue."""

from . import services


def deliver_send(send_id: str) -> None:
    services.send_deliver(send_id=send_id)
