"""Staff actions. Every one of them writes an `AdminAction` in the same transaction as its change.

`audit()` is the one way to write the log; the other services are what the admin calls.
"""

from .audit import Action, audit
from .configuration import config_reset, config_set
from .emails import (
    EMAIL_TYPES,
    SCHEDULE_DELAYS,
    TEST_USER_STATES,
    email_test_schedule,
    email_test_send,
    test_user_create_by_staff,
)
from .jobs import (
    FORCEABLE,
    image_cache_purge,
    job_cancel_by_staff,
    job_force_status,
    job_retry_by_staff,
)
from .retention import RETENTION_KNOBS, retention_purge
from .users import (
    DEFAULT_TRIAL_EXTENSION_DAYS,
    StaffActionRefused,
    user_deactivate,
    user_demote,
    user_promote,
    user_trial_extend,
)

__all__ = [
    "DEFAULT_TRIAL_EXTENSION_DAYS",
    "EMAIL_TYPES",
    "FORCEABLE",
    "RETENTION_KNOBS",
    "SCHEDULE_DELAYS",
    "TEST_USER_STATES",
    "Action",
    "StaffActionRefused",
    "audit",
    "config_reset",
    "config_set",
    "email_test_schedule",
    "email_test_send",
    "image_cache_purge",
    "job_cancel_by_staff",
    "job_force_status",
    "job_retry_by_staff",
    "retention_purge",
    "test_user_create_by_staff",
    "user_deactivate",
    "user_demote",
    "user_promote",
    "user_trial_extend",
]
