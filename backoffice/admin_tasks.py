"""django-q2's task admins, with "resubmit" kept for those who may change tasks.

django-q2's action has no permission of its own, so Django would offer it to anyone who may
view the list: staff (view-only on tasks) could run tasks again. Schedules need no change here:
adding or editing one needs its add/change permission, which staff do not have.
"""

from django.contrib import admin
from django_q.admin import FailAdmin, TaskAdmin, resubmit_task
from django_q.models import Failure, Success


@admin.action(description="Resubmit selected tasks to queue", permissions=["change"])
def resubmit(model_admin, request, queryset):
    resubmit_task(model_admin, request, queryset)


class SuccessAdmin(TaskAdmin):
    actions = [resubmit]


class FailureAdmin(FailAdmin):
    actions = [resubmit]


for model, model_admin in ((Success, SuccessAdmin), (Failure, FailureAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
