"""The trial banner's state for every page (nothing for visitors and staff)."""

from .selectors import banner_for


def trial(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff:
        return {}
    return {"trial_banner": banner_for(user)}
