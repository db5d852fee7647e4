"""Shortlists and outreach in headless Chromium: write a template, create a list, add a
campaign's creators with an email, move one through the pipeline with notes, preview and send
an email to another (the send is logged on its card and its page, and it is in the outbox),
and export the list as CSV and Excel.

The task queue is synchronous in tests: the "Send" POST returns once the email is sent.
"""

import csv
import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from outreach.models import ListEntry, OutreachSend
from tests.e2e.conftest import screenshot
from tests.factories import make_campaign, make_creator, make_job


@pytest.fixture
def owner(make_user, transactional_db):
    return make_user("outreach@example.com")


@pytest.fixture
def signed_in(page, owner, live_server):
    client = Client()
    client.force_login(owner)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


@pytest.fixture
def found(owner):
    """A campaign whose search found three creators, two of them with an email."""
    campaign = make_campaign(owner, name="Trail season")
    job = make_job(owner, campaign, processed_results=3)
    make_creator(
        job,
        username="maya_runs",
        display_name="Maya Runs",
        emails=["maya@example.com"],
        has_email=True,
        followers=12_500,
    )
    make_creator(
        job,
        username="ana_ultra",
        display_name="Ana Ultra",
        emails=["ana@example.com"],
        has_email=True,
        followers=48_000,
    )
    make_creator(job, username="no_mail", display_name="No Mail", followers=300)
    return campaign


def card(page, username: str):
    return page.locator(f'li.entry-card[data-entry="{username}"]')


def column(page, status: str):
    return page.locator(f'section.board-column[data-status="{status}"]')


def test_add_move_send_and_export(signed_in, owner, found):
    page = signed_in
    page.goto("/dashboard/")

    # A template, with merge fields.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Email templates").click()
    page.get_by_role("link", name="Write your first template").click()
    page.get_by_label("Name").fill("First hello")
    page.get_by_label("Subject").fill("Hi {name}: {campaign}")
    page.get_by_label("Body").fill("Hi {name} ({handle}),\nI'm {sender_name}.")
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_text("Template “First hello” saved.")).to_be_visible()

    # A list, then every creator of the campaign with an email.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lists").click()
    page.get_by_label("Name").fill("Spring shortlist")
    page.get_by_role("button", name="Create list").click()
    expect(page.get_by_role("heading", name="Spring shortlist")).to_be_visible()
    page.get_by_label("From").select_option(label="Every search of “Trail season”")
    expect(page.get_by_label("Has email")).to_be_checked()
    page.get_by_role("button", name="Add matching creators").click()
    expect(page.get_by_text("Added 2 creators to “Spring shortlist”.")).to_be_visible()
    expect(page.locator('[data-field="count-to_contact"]')).to_have_text("2")
    expect(card(page, "no_mail")).to_have_count(0)

    # Ana through the pipeline, one small form per move.
    for label, status in [("Contacted", "contacted"), ("Replied", "replied"), ("Agreed", "agreed")]:
        card(page, "ana_ultra").get_by_label("Move Ana Ultra to").select_option(label=label)
        card(page, "ana_ultra").get_by_role("button", name="Move").click()
        expect(page.get_by_text(f"Ana Ultra moved to {label}.")).to_be_visible()
        expect(column(page, status).locator('[data-entry="ana_ultra"]')).to_be_visible()
    card(page, "ana_ultra").locator("summary", has_text="Notes").click()
    card(page, "ana_ultra").get_by_label("Notes on Ana Ultra").fill("Two videos in May, $800")
    card(page, "ana_ultra").get_by_role("button", name="Save notes").click()
    expect(card(page, "ana_ultra").locator(".notes")).to_have_text("Two videos in May, $800")
    expect(page.locator('[data-field="count-agreed"]')).to_have_text("1")

    # Preview, then send to Maya.
    page.get_by_label("Select Maya Runs").check()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator('[data-field="preview-subject"]')).to_have_text(
        "Hi Maya Runs: Trail season"
    )
    expect(page.locator('[data-field="preview-body"]')).to_have_text(
        "Hi Maya Runs (@maya_runs),\nI'm Test Person."
    )
    expect(page.get_by_label("Select Maya Runs")).to_be_checked()
    page.get_by_role("button", name="Send to selected").click()
    expect(page.get_by_text("1 email queued with “First hello”")).to_be_visible()
    expect(card(page, "maya_runs").locator('[data-field="send-status"]')).to_have_text("Email sent")
    expect(column(page, "contacted").locator('[data-entry="maya_runs"]')).to_be_visible()
    screenshot(page, "outreach-board.png")

    [message] = mail.outbox
    assert (message.to, message.reply_to) == (["maya@example.com"], ["outreach@example.com"])
    assert (message.subject, message.body) == (
        "Hi Maya Runs: Trail season",
        "Hi Maya Runs (@maya_runs),\nI'm Test Person.",
    )
    send = OutreachSend.objects.get()
    assert (send.status, send.to, send.entry.username) == ("sent", "maya@example.com", "maya_runs")

    # The send is logged on Maya's page, with the history.
    card(page, "maya_runs").get_by_role("link", name="Maya Runs").click()
    expect(page.locator('.send-row [data-field="send-status"]')).to_have_text("Sent")
    expect(page.locator(".history")).to_contain_text("email sent to maya@example.com")
    page.get_by_role("link", name="Spring shortlist").click()

    # Export both formats.
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert re.fullmatch(r"spring-shortlist-\d{8}-\d{6}\.csv", download.value.suggested_filename)
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = {row["Username"]: row for row in csv.DictReader(io.StringIO(text))}
    assert {name: (r["Status"], r["Notes"], r["Emails Sent"]) for name, r in rows.items()} == {
        "maya_runs": ("Contacted", "", "1"),
        "ana_ultra": ("Agreed", "Two videos in May, $800", "0"),
    }
    with page.expect_download() as download:
        page.get_by_role("link", name="Export Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = io.BytesIO(download.value.path().read_bytes())  # a download has no extension
    sheet = openpyxl.load_workbook(workbook).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert sorted((row[2], row[7], row[10]) for row in values) == [
        ("ana_ultra", "Agreed", 0),
        ("maya_runs", "Contacted", 1),
    ]
    assert ListEntry.objects.filter(list__owner=owner).count() == 2
