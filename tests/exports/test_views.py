"""GET /api/export/csv: streaming, headers, filenames, auth, owner isolation, bad parameters."""

import io
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.http import StreamingHttpResponse
from rest_framework.authtoken.models import Token

from exports.writers import HEADERS_BY_SEARCH, write_campaign_csv, write_job_csv
from tests.factories import make_campaign, make_creator, make_job

from .conftest import BOM, read_csv

pytestmark = pytest.mark.django_db

URL = "/api/export/csv"


@pytest.fixture
def job(user):
    job = make_job(user, make_campaign(user), keywords=["running"])
    make_creator(job, username="maya", bio='Café ☕, "quotes"\nand emoji 🏃')
    return job


def test_streams_a_bom_first_utf8_csv(auth_client, job):
    response = auth_client.get(URL, {"jobId": job.pk})
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    chunks = list(response.streaming_content)
    assert chunks[0] == BOM  # the BOM alone, before any query result
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    rows = read_csv(b"".join(chunks))
    assert rows[0] == list(HEADERS_BY_SEARCH["tiktok_keyword"])
    assert rows[1][:3] == ["maya", "", 'Café ☕, "quotes"\nand emoji 🏃']


@pytest.mark.parametrize("accept", ["text/csv", "application/json", "*/*"])
def test_any_accept_header_gets_the_csv(auth_client, job, accept):
    response = auth_client.get(URL, {"jobId": job.pk}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_answers_with_and_without_trailing_slash(auth_client, job):
    for url in (URL, URL + "/"):
        response = auth_client.get(url, {"jobId": str(job.pk)})
        assert response.status_code == 200
        assert read_csv(response.getvalue())[1][0] == "maya"


@time_machine.travel(datetime(2025, 7, 4, 12, 0, tzinfo=UTC), tick=False)
def test_job_filename_has_campaign_kind_and_date(auth_client, job):
    response = auth_client.get(URL, {"jobId": job.pk})
    assert response["Content-Disposition"] == (
        'attachment; filename="summer-launch-tiktok-keyword-2025-07-04.csv"'
    )


@time_machine.travel(datetime(2025, 7, 4, 12, 0, tzinfo=UTC), tick=False)
def test_campaign_filename_keeps_accents_in_the_utf8_form(auth_client, user):
    campaign = make_campaign(user, name='Été 🌞 "launch"/2025')
    response = auth_client.get(URL, {"campaignId": campaign.pk})
    assert response["Content-Disposition"] == (
        'attachment; filename="ete-launch2025-campaign-2025-07-04.csv"; '
        "filename*=UTF-8''%C3%A9t%C3%A9-launch2025-campaign-2025-07-04.csv"
    )


@time_machine.travel(datetime(2025, 7, 4, 12, 0, tzinfo=UTC), tick=False)
def test_a_name_without_latin_letters_still_gets_an_ascii_filename(auth_client, user):
    campaign = make_campaign(user, name="夏のキャンペーン")
    response = auth_client.get(URL, {"campaignId": campaign.pk})
    assert response["Content-Disposition"] == (
        'attachment; filename="export-campaign-2025-07-04.csv"; '
        "filename*=UTF-8''%E5%A4%8F%E3%81%AE%E3%82%AD%E3%83%A3%E3%83%B3%E3%83%9A%E3%83%BC%E3%83%B3"
        "-campaign-2025-07-04.csv"
    )


def test_nothing_is_read_before_the_response_is_consumed(
    auth_client, job, django_assert_num_queries
):
    response = auth_client.get(URL, {"jobId": job.pk})
    stream = iter(response.streaming_content)
    with django_assert_num_queries(0):
        assert next(stream) == BOM
    with django_assert_num_queries(1):
        rest = b"".join(stream)
    assert rest.startswith(b"Username,Followers,Bio")


def test_a_large_export_comes_in_several_chunks(auth_client, user):
    job = make_job(user, make_campaign(user))
    for _ in range(150):
        make_creator(job, bio="x" * 1000)
    response = auth_client.get(URL, {"jobId": job.pk})
    chunks = list(response.streaming_content)
    assert len(chunks) >= 4  # BOM, then ~64 KB pieces: never the whole file at once
    assert max(len(c) for c in chunks) < 80_000
    assert len(read_csv(b"".join(chunks))) == 151


# --- authentication -------------------------------------------------------------------------
def test_anonymous_is_401_json_not_a_redirect(client, job):
    response = client.get(URL, {"jobId": job.pk})
    assert response.status_code == 401
    assert response.json() == {"message": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"


def test_token_auth_works(client, user, job):
    token = Token.objects.create(user=user)
    response = client.get(URL, {"jobId": job.pk}, headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200
    assert read_csv(response.getvalue())[1][0] == "maya"


def test_a_wrong_token_is_401(client, job):
    response = client.get(URL, {"jobId": job.pk}, headers={"Authorization": "Token nope"})
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid token."}


# --- owner isolation ------------------------------------------------------------------------
def test_another_users_job_is_404(client, other_user, job):
    client.force_login(other_user)
    response = client.get(URL, {"jobId": job.pk})
    assert response.status_code == 404
    assert response.json() == {"message": "Not found."}
    assert b"maya" not in response.content


def test_another_users_campaign_is_404(client, other_user, job):
    client.force_login(other_user)
    response = client.get(URL, {"campaignId": job.campaign_id})
    assert response.status_code == 404
    assert response.json() == {"message": "Not found."}


def test_another_users_token_cannot_read_my_job(client, other_user, job):
    token = Token.objects.create(user=other_user)
    response = client.get(URL, {"jobId": job.pk}, headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 404


@pytest.mark.parametrize("param", ["jobId", "campaignId"])
def test_an_unknown_id_is_the_same_404(auth_client, param):
    response = auth_client.get(URL, {param: uuid.uuid4()})
    assert response.status_code == 404
    assert response.json() == {"message": "Not found."}


def test_a_campaign_id_given_as_job_id_is_404(auth_client, job):
    response = auth_client.get(URL, {"jobId": job.campaign_id})
    assert response.status_code == 404


# --- bad parameters -------------------------------------------------------------------------
NEITHER = "Give a jobId or a campaignId."
BOTH = "Give a jobId or a campaignId, not both."


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("", {"message": NEITHER, "errors": {"jobId": [NEITHER], "campaignId": [NEITHER]}}),
        ("?jobId=", {"message": NEITHER, "errors": {"jobId": [NEITHER], "campaignId": [NEITHER]}}),
        (
            f"?jobId={uuid.UUID(int=1)}&campaignId={uuid.UUID(int=2)}",
            {"message": BOTH, "errors": {"jobId": [BOTH], "campaignId": [BOTH]}},
        ),
        (
            "?jobId=42",
            {"message": "jobId is not a valid id.", "errors": {"jobId": ["Not a valid id."]}},
        ),
        (
            "?campaignId=../../etc",
            {
                "message": "campaignId is not a valid id.",
                "errors": {"campaignId": ["Not a valid id."]},
            },
        ),
        (
            f"?jobId={uuid.UUID(int=1)}&jobId={uuid.UUID(int=2)}",
            {"message": "Give one jobId.", "errors": {"jobId": ["Give one jobId."]}},
        ),
    ],
)
def test_bad_parameters_are_400_json(auth_client, query, body):
    response = auth_client.get(URL + query, headers={"Accept": "text/csv"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == body


def test_post_is_not_allowed(auth_client, job):
    response = auth_client.post(URL + f"?jobId={job.pk}")
    assert response.status_code == 405


# --- the writers used by run_search --csv and the REST API ----------------------------------
def test_write_job_csv_writes_bomless_text_and_counts_rows(job, tmp_path):
    make_creator(job, username="second")
    path = tmp_path / "out.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        assert write_job_csv(job, handle) == 2
    content = path.read_bytes()
    assert content.startswith(BOM) and not content.startswith(BOM * 2)
    assert [row[0] for row in read_csv(content)] == ["Username", "maya", "second"]


def test_write_campaign_csv_counts_creators_not_rows(user, job):
    other = make_job(user, job.campaign, "tiktok", "similar")
    first = job.creators.get()
    make_creator(other, external_id=first.external_id, username="maya")
    buffer = io.StringIO(newline="")
    assert write_campaign_csv(job.campaign, buffer) == 1
    assert buffer.getvalue().startswith("Platform,Creator/Channel Name,Username")
