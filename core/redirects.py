"""Where a form or a sign-in may send its user back to: only this site's own pages."""

from django.utils.http import url_has_allowed_host_and_scheme


def local_url(request, target: str, default: str) -> str:
    """`target` when it is a page of this site (this host, and https when this request is),
    else `default`: a `next` parameter must never send anyone to another site."""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
