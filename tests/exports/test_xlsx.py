"""The Excel export, read back with openpyxl: the CSV's columns and values, typed, just as safe."""

import io
import tracemalloc
from datetime import UTC, date, datetime

import pytest
from django.apps import apps

from exports.columns import HEADERS
from exports.xlsx_file import write_xlsx, xlsx_value
from tests.factories import make_campaign, make_creator, make_job

from .conftest import open_xlsx
from .test_formats import BIO, CAPTION, EXPECTED_HEADER, FOUND, NAME, SOURCES, add_rich, add_sparse

# XML reads a CR LF line break as LF, as Excel does: the same line break in the spreadsheet.
BIO_READ_BACK = BIO.replace("\r\n", "\n")

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(user):
    return make_campaign(user)


def test_numbers_are_numbers_and_dates_are_dates(download_xlsx, user, campaign):
    job = make_job(user, campaign, "tiktok", "keyword", keywords=["running", "yoga"])
    add_rich(job)
    add_sparse(job)
    _, sheet = download_xlsx(jobId=job.pk)
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows == [
        EXPECTED_HEADER,
        [
            "TikTok", "maya.runs", NAME, "https://www.tiktok.com/@maya.runs", 12500, "Yes",
            "No", 0.12, None, "maya@example.com", "team@maya.example", None, None, None, None,
            SOURCES, "https://linktr.ee/maya; https://www.instagram.com/maya.runs",
            "https://www.instagram.com/maya.runs/; https://x.com/mayaruns",
            BIO_READ_BACK, "https://www.tiktok.com/@maya.runs/video/1",
            "Marathon prep, week 1 🏅", "'" + CAPTION, 1000, 120, 0, None,
            datetime(2025, 3, 1), 61, "#running #café", 72.5, "TikTok keyword: running, yoga",
            "running, yoga", "Read", datetime(2025, 6, 2),
        ],
        [
            "TikTok", "quiet", None, None, None, "No", "No", None, None, None, None, None, None,
            None, None, None, None, None, None, None, None, None, None, None, None, None, None,
            None, None, None, "TikTok keyword: running, yoga", "running, yoga", "Read",
            datetime(2025, 6, 2),
        ],
    ]  # fmt: skip
    cells = {name: cell for name, cell in zip(EXPECTED_HEADER, sheet[2], strict=True)}
    assert cells["Followers"].data_type == "n"
    assert cells["Comments"].value == 0  # a real zero stays a number
    assert cells["Engagement"].number_format == "0.0%"  # shown as 12.0 %
    assert cells["Published date"].is_date
    assert cells["Published date"].number_format == "yyyy-mm-dd"
    assert cells["Found at"].is_date
    assert sheet.freeze_panes == "A2"


def test_the_campaign_workbook_has_the_same_rows_as_the_campaign_csv(
    download, download_xlsx, user, campaign
):
    keyword = make_job(user, campaign, keywords=["running"])
    similar = make_job(user, campaign, "tiktok", "similar", target_username="maya")
    make_creator(keyword, external_id="1", username="alpha", followers=10, created_at=FOUND)
    make_creator(similar, external_id="1", username="alpha", followers=12, created_at=FOUND)
    make_creator(similar, external_id="2", username="beta", likes=-2, created_at=FOUND)
    _, csv_rows = download(campaignId=campaign.pk)
    _, sheet = download_xlsx(campaignId=campaign.pk)
    as_text = [
        [
            "" if v is None else v.date().isoformat() if isinstance(v, datetime) else str(v)
            for v in r
        ]
        for r in sheet.iter_rows(values_only=True)
    ]
    assert as_text == csv_rows
    assert len(csv_rows) == 3


def test_median_views_is_a_number(download_xlsx, user, campaign):
    job = make_job(user, campaign)
    creator = make_creator(job, username="measured")
    apps.get_model("scraping", "CreatorMetrics").objects.create(
        platform="tiktok", external_id=creator.external_id, metrics={"median_views": 4200}
    )
    _, sheet = download_xlsx(campaignId=campaign.pk)
    assert sheet.cell(row=2, column=HEADERS.index("Median views") + 1).value == 4200


# --- safety ---------------------------------------------------------------------------------
def test_text_is_neutralised_and_never_a_formula_or_an_error(download_xlsx, user, campaign):
    job = make_job(user, campaign, keywords=["=1+1"])
    make_creator(
        job,
        username="=cmd|' /C calc'!A0",
        display_name="#N/A",  # Excel's error value, written as text
        bio='\x01=HYPERLINK("http://evil.example")\x0b and a \x1f unit separator',
        profile_url="@SUM(1+1)",
        content_title="\u200b+1",
        content_description="\ufffeinvalid in XML",
        emails=["=evil@example.com"],
        likes=-2,  # a negative number is a number, not neutralised text
    )
    _, sheet = download_xlsx(jobId=job.pk)
    cells = {name: cell for name, cell in zip(HEADERS, sheet[2], strict=True)}
    assert cells["Handle"].value == "'=cmd|' /C calc'!A0"
    assert cells["Display name"].value == "#N/A"
    assert cells["Display name"].data_type == "s"
    assert cells["Bio"].value == '\'=HYPERLINK("http://evil.example") and a  unit separator'
    assert cells["Profile URL"].value == "'@SUM(1+1)"
    assert cells["Content title"].value == "'\u200b+1"
    assert cells["Content description"].value == "invalid in XML"
    assert cells["Email 1"].value == "'=evil@example.com"
    assert cells["Keywords/Target"].value == "'=1+1"
    assert cells["Likes"].value == -2
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type in ("s", "n", "d"), cell
            if isinstance(cell.value, str):
                assert cell.value[:1] not in "=+-@", cell.value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, "Yes"),
        (False, "No"),
        (0, 0),
        (-2, -2),
        (72.5, 72.5),
        (float("nan"), None),
        (float("inf"), None),
        ("-2", "'-2"),
        ("", None),
        ("a\x00b", "ab"),
        (date(2025, 3, 1), date(2025, 3, 1)),
        (datetime(2025, 3, 1, 23, 30, tzinfo=UTC), date(2025, 3, 1)),
    ],
)
def test_xlsx_value(value, expected):
    converted = xlsx_value(value)
    assert converted == expected
    assert type(converted) is type(expected)


# --- memory ---------------------------------------------------------------------------------
def test_memory_stays_flat_however_many_rows(tmp_path):
    """Write-only mode: rows go to a temporary file as they come, never all held at once."""

    def rows(count):
        for n in range(count):
            yield [f"{n:06d} " + "x" * 2000, n, date(2025, 1, 1), None]

    tracemalloc.start()
    try:
        with open(tmp_path / "big.xlsx", "wb") as file:
            assert write_xlsx(file, ["Bio", "Followers", "Found at", "Email 1"], rows(3000)) == 3000
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000  # the text alone is 6 MB
    with open(tmp_path / "big.xlsx", "rb") as file:
        sheet = open_xlsx(io.BytesIO(file.read()).getvalue())
    assert sheet.max_row == 3001
    assert sheet["A3001"].value.startswith("002999 ")
