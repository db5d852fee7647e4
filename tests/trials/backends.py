"""An email backend that fails a given number of times, then delivers (to the locmem outbox)."""

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    failures_left = 0  # set by the test; -1 = fail forever

    def send_messages(self, messages):
        if FlakyBackend.failures_left != 0:
            FlakyBackend.failures_left -= 1 if FlakyBackend.failures_left > 0 else 0
            raise ConnectionError("provider unreachable")
        return super().send_messages(messages)
