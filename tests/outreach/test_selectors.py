"""What the results table asks: which creators are already listed or contacted, and a queryset
without them."""

import pytest

from outreach import selectors, services
from outreach.models import ListEntry, OutreachSend
from scraping.selectors import job_creators
from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(user, job):
    """Five creators of a results page: listed, moved on, emailed, untouched, and one listed
    only by another user."""
    return {
        name: make_creator(job, username=name)
        for name in ("listed", "replied", "emailed", "untouched", "theirs")
    }


@pytest.fixture
def lists(user, other_user, shortlist, page):
    second = services.list_create(owner=user, name="Autumn")
    add = services.entries_add_by_ids
    add(creator_list=shortlist, actor=user, creator_ids=[page[n].pk for n in ("listed", "replied")])
    add(creator_list=second, actor=user, creator_ids=[page["listed"].pk, page["emailed"].pk])
    replied = ListEntry.objects.get(list=shortlist, username="replied")
    services.entry_update(entry=replied, actor=user, status="replied")
    emailed = ListEntry.objects.get(username="emailed")
    OutreachSend.objects.create(
        owner=user, entry=emailed, to="e@x.co", subject="s", body="b", status="sent"
    )
    # Another user's list holds "theirs": that says nothing about this user.
    their_list = services.list_create(owner=other_user, name="Theirs")
    their_creator = make_creator(
        make_job(other_user, make_campaign(other_user)),
        platform="tiktok",
        external_id=page["theirs"].external_id,
    )
    add(creator_list=their_list, actor=other_user, creator_ids=[their_creator.pk])
    return shortlist, second


def test_marks_say_which_creators_are_listed_and_contacted_in_one_query(
    user, page, lists, django_assert_num_queries
):
    with django_assert_num_queries(1):
        marks = selectors.creator_marks(user=user, creators=list(page.values()))
    summary = {
        key[1]: ([lst.name for lst in mark.lists], mark.contacted) for key, mark in marks.items()
    }
    assert summary == {
        page["listed"].external_id: (["Autumn", "Shortlist"], False),
        page["replied"].external_id: (["Shortlist"], True),
        page["emailed"].external_id: (["Autumn"], True),
    }


def test_a_failed_send_is_not_contact(user, shortlist, page):
    services.entries_add_by_ids(creator_list=shortlist, actor=user, creator_ids=[page["listed"].pk])
    entry = ListEntry.objects.get()
    OutreachSend.objects.create(
        owner=user, entry=entry, to="e@x.co", subject="s", body="b", status="failed"
    )
    [mark] = selectors.creator_marks(user=user, creators=[page["listed"]]).values()
    assert mark.contacted is False


def test_exclude_listed_hides_creators_in_any_of_my_lists(user, job, page, lists):
    creators = selectors.exclude_listed(job_creators(job=job), user=user)
    assert [c.username for c in creators] == ["untouched", "theirs"]


def test_exclude_listed_contacted_only_hides_the_contacted(user, job, page, lists):
    creators = selectors.exclude_listed(job_creators(job=job), user=user, contacted_only=True)
    assert [c.username for c in creators] == ["listed", "untouched", "theirs"]


def test_the_results_table_context_is_two_queries(user, page, lists, django_assert_num_queries):
    with django_assert_num_queries(2):
        context = selectors.results_table_context(user=user, creators=list(page.values()))
    assert [lst.name for lst in context["outreach_lists"]] == ["Autumn", "Shortlist"]
    assert len(context["outreach_marks"]) == 3


def test_lists_with_counts_counts_each_status(user, page, lists):
    counts = {
        lst.name: (lst.entry_count, lst.n_to_contact, lst.n_replied)
        for lst in selectors.lists_with_counts(user=user)
    }
    assert counts == {"Shortlist": (2, 1, 1), "Autumn": (2, 2, 0)}


def test_status_counts_has_every_status_in_pipeline_order(shortlist, lists):
    assert selectors.status_counts(creator_list=shortlist) == {
        "to_contact": 1,
        "contacted": 0,
        "replied": 1,
        "agreed": 0,
        "declined": 0,
    }
