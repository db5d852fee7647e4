"""Request bodies the API refuses in its own error format: JSON nested too deep (400) and
bodies over Django's size limit (413), on every kind of endpoint; ordinary bodies still work."""

import json

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from campaigns.models import Campaign
from core.parsers import MAX_JSON_DEPTH, json_depth_exceeds
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db

TOO_DEEP = {"message": f"JSON nested deeper than {MAX_JSON_DEPTH} levels.", "errors": {}}
TOO_LARGE = {"message": "Request body too large.", "errors": {}}


def nested_lists(levels: int) -> str:
    return "[" * levels + "]" * levels


def nested_objects(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


@pytest.fixture
def campaign(user):
    return make_campaign(user, name="Runners")


@pytest.mark.parametrize("body", [nested_lists(1000), nested_objects(1000)])
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/campaigns/"),
        ("post", "/api/scraping/tiktok"),
        ("post", "/api/scraping/instagram"),
        ("patch", "/api/campaigns/{campaign}/"),
    ],
)
def test_json_nested_1000_levels_deep_is_a_400(api, campaign, method, url, body):
    url = url.format(campaign=campaign.pk)
    response = getattr(api, method)(url, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == TOO_DEEP


def test_the_depth_limit_counts_every_level(api):
    # The outer object is level 1: 31 lists inside it make 32 levels, the most allowed.
    at_limit = '{"name": "At the limit", "extra": ' + nested_lists(MAX_JSON_DEPTH - 1) + "}"
    over = '{"name": "Over the limit", "extra": ' + nested_lists(MAX_JSON_DEPTH) + "}"

    accepted = api.post("/api/campaigns/", data=at_limit, content_type="application/json")
    refused = api.post("/api/campaigns/", data=over, content_type="application/json")

    assert accepted.status_code == 201
    assert accepted.json()["name"] == "At the limit"
    assert refused.status_code == 400
    assert refused.json() == TOO_DEEP
    assert list(Campaign.objects.values_list("name", flat=True)) == ["At the limit"]


def test_brackets_inside_strings_do_not_count(api):
    description = 'Quote: "' + "[{" * 300 + "\\ and more [[["
    body = json.dumps({"name": "Brackets", "description": description})

    response = api.post("/api/campaigns/", data=body, content_type="application/json")

    assert response.status_code == 201
    assert response.json()["description"] == description


@pytest.mark.parametrize(
    ("text", "exceeds"),
    [
        (nested_lists(3), False),
        (nested_lists(4), True),
        (nested_objects(4), True),
        ('[[["[[[[[[["]]]', False),  # brackets in a string
        ('[[["\\"[[[[[[["]]]', False),  # an escaped quote does not end the string
        ('[[["\\\\"[[]]]]]', True),  # an escaped backslash does: the brackets after it count
        ("[1, [2], [3], [4], [5], [6]]", False),  # many brackets, never deeper than 2
        ("", False),
    ],
)
def test_json_depth_exceeds(text, exceeds):
    assert json_depth_exceeds(text, 3) is exceeds


def test_a_body_over_the_size_limit_is_a_json_413(api):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({"name": "Big", "description": "x" * limit})
    assert len(body) > limit

    response = api.post("/api/campaigns/", data=body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == TOO_LARGE
    assert not Campaign.objects.exists()


def test_an_oversized_patch_is_a_json_413(api, campaign):
    body = json.dumps({"description": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})

    response = api.patch(
        f"/api/campaigns/{campaign.pk}/", data=body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    campaign.refresh_from_db()
    assert campaign.description == ""


def test_an_oversized_form_post_with_a_session_is_a_json_413(user):
    # With a session, DRF's CSRF check reads the form body before the view does.
    client = APIClient()
    client.force_login(user)
    body = "name=Big&description=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = client.post(
        "/api/campaigns/", data=body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert response.json() == TOO_LARGE


def test_too_many_form_fields_is_a_json_400(api):
    fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1
    body = "&".join(f"f{i}=1" for i in range(fields))

    response = api.post(
        "/api/campaigns/", data=body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 400
    assert response.json() == {"message": "Malformed request.", "errors": {}}


def test_ordinary_bodies_still_work(api, campaign):
    created = api.post("/api/campaigns/", {"name": "Trail", "description": "Shoes"}, format="json")
    patched = api.patch(f"/api/campaigns/{campaign.pk}/", {"description": "Spring"}, format="json")
    form = api.post("/api/campaigns/", {"name": "From a form"})  # multipart, the client default

    assert created.status_code == 201
    assert created.json()["description"] == "Shoes"
    assert patched.status_code == 200
    assert patched.json()["description"] == "Spring"
    assert form.status_code == 201
    assert form.json()["name"] == "From a form"
