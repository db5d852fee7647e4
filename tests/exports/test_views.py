"""GET /api/export/csv and /api/export/xlsx: streaming, headers, auth, owner isolation, bad
parameters. File names: test_filenames.py; the workbook itself: test_xlsx.py."""

import io
import uuid
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from exports.columns import HEADERS
from exports.writers import write_campaign_csv, write_job_csv
from tests.factories import make_campaign, make_creator, make_job
from trials.models import UserProfile

from .conftest import BOM, XLSX, read_csv, read_xlsx

pytestmark = pytest.mark.django_db

URL = "/api/export/csv"
XLSX_URL = "/api/export/xlsx"


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
    assert rows[0] == list(HEADERS)
    assert rows[1][:3] == ["TikTok", "maya", ""]
    assert rows[1][HEADERS.index("Bio")] == 'Café ☕, "quotes"\nand emoji 🏃'


@pytest.mark.parametrize("accept", ["text/csv", "application/json", "*/*"])
def test_any_accept_header_gets_the_csv(auth_client, job, accept):
    response = auth_client.get(URL, {"jobId": job.pk}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_answers_with_and_without_trailing_slash(auth_client, job):
    for url in (URL, URL + "/"):
        response = auth_client.get(url, {"jobId": str(job.pk)})
        assert response.status_code == 200
        assert read_csv(response.getvalue())[1][1] == "maya"


def test_nothing_is_read_before_the_response_is_consumed(
    auth_client, job, django_assert_num_queries
):
    response = auth_client.get(URL, {"jobId": job.pk})
    stream = iter(response.streaming_content)
    with django_assert_num_queries(0):
        assert next(stream) == BOM
    with django_assert_num_queries(1):
        rest = b"".join(stream)
    assert rest.startswith(b"Platform,Handle,Display name,")


def test_a_large_export_comes_in_several_chunks(auth_client, user):
    job = make_job(user, make_campaign(user))
    for _ in range(150):
        make_creator(job, bio="x" * 1000)
    response = auth_client.get(URL, {"jobId": job.pk})
    chunks = list(response.streaming_content)
    assert len(chunks) >= 4  # BOM, then ~64 KB pieces: never the whole file at once
    assert max(len(c) for c in chunks) < 80_000
    assert len(read_csv(b"".join(chunks))) == 151


# --- Excel ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "query"),
    [
        (XLSX_URL, {}),
        (XLSX_URL + "/", {}),
        (URL, {"format": "xlsx"}),
        (URL, {"format": " XLSX "}),
        (XLSX_URL, {"format": "xlsx"}),
    ],
)
def test_the_workbook_comes_from_its_route_or_the_format_parameter(auth_client, job, url, query):
    response = auth_client.get(url, {"jobId": job.pk, **query})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].endswith('.xlsx"')
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    rows = read_xlsx(body)
    assert rows[0] == list(HEADERS)
    assert rows[1][:3] == ["TikTok", "maya", None]


def test_format_csv_on_the_csv_route_is_the_csv(auth_client, job):
    response = auth_client.get(URL, {"jobId": job.pk, "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    assert read_csv(response.getvalue())[1][1] == "maya"


def test_the_campaign_workbook(auth_client, job):
    response = auth_client.get(XLSX_URL, {"campaignId": job.campaign_id})
    assert response.status_code == 200
    assert [row[1] for row in read_xlsx(b"".join(response.streaming_content))] == [
        "Handle",
        "maya",
    ]


@pytest.mark.parametrize(
    ("query", "body"),
    [
        (
            "&format=pdf",
            {
                "message": "format must be csv or xlsx.",
                "errors": {"format": ["Choose csv or xlsx."]},
            },
        ),
        (
            "&format=csv&format=xlsx",
            {"message": "Give one format.", "errors": {"format": ["Give one format."]}},
        ),
    ],
)
@pytest.mark.parametrize("url", [URL, XLSX_URL])
def test_a_bad_format_is_400_json(auth_client, job, url, query, body):
    response = auth_client.get(f"{url}?jobId={job.pk}{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == body


@pytest.mark.parametrize("url", [URL, XLSX_URL])
def test_an_ended_trial_cannot_export_either_format(auth_client, user, job, url):
    past = timezone.now() - timedelta(days=1)
    UserProfile.objects.filter(user=user).update(
        trial_started_at=past - timedelta(days=7), trial_ends_at=past
    )
    response = auth_client.get(url, {"jobId": job.pk})
    assert response.status_code == 402
    assert response.json()["message"].startswith("Your free trial has ended. Subscribe to export")


# --- authentication -------------------------------------------------------------------------
@pytest.mark.parametrize("url", [URL, XLSX_URL])
def test_anonymous_is_401_json_not_a_redirect(client, job, url):
    response = client.get(url, {"jobId": job.pk})
    assert response.status_code == 401
    assert response.json() == {"message": "Authentication credentials were not provided."}
    assert response["WWW-Authenticate"] == "Token"


def test_token_auth_works(client, user, job):
    token = Token.objects.create(user=user)
    response = client.get(URL, {"jobId": job.pk}, headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200
    assert read_csv(response.getvalue())[1][1] == "maya"


def test_a_wrong_token_is_401(client, job):
    response = client.get(URL, {"jobId": job.pk}, headers={"Authorization": "Token nope"})
    assert response.status_code == 401
    assert response.json() == {"message": "Invalid token."}


# --- owner isolation ------------------------------------------------------------------------
@pytest.mark.parametrize("url", [URL, XLSX_URL])
def test_another_users_job_is_404(client, other_user, job, url):
    client.force_login(other_user)
    response = client.get(url, {"jobId": job.pk})
    assert response.status_code == 404
    assert response.json() == {"message": "Not found."}
    assert b"maya" not in response.content


@pytest.mark.parametrize("url", [URL, XLSX_URL])
def test_another_users_campaign_is_404(client, other_user, job, url):
    client.force_login(other_user)
    response = client.get(url, {"campaignId": job.campaign_id})
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
    assert [row[1] for row in read_csv(content)] == ["Handle", "maya", "second"]


def test_write_campaign_csv_counts_creators_not_rows(user, job):
    other = make_job(user, job.campaign, "tiktok", "similar")
    first = job.creators.get()
    make_creator(other, external_id=first.external_id, username="maya")
    buffer = io.StringIO(newline="")
    assert write_campaign_csv(job.campaign, buffer) == 1
    assert buffer.getvalue().startswith("Platform,Handle,Display name,")
