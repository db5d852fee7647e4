"""``{{ url|http_url }}``: an upstream URL fit for an href, or "" when it is not http(s).

Every href built from upstream data goes through it, so rows stored before the transforms
refused ``javascript:`` and friends are harmless too.
"""

from django import template

from scraping.transform.values import safe_http_url

register = template.Library()
register.filter("http_url", safe_http_url)
