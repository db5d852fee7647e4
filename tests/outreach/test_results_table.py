"""The results tables and the API know the user's lists: a badge on each creator already in a
list or contacted, "Add to list" for one or many, and a filter that hides them."""

import pytest
from rest_framework.test import APIClient

from outreach import services
from tests.factories import make_campaign, make_creator, make_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def search(user):
    job = make_job(user, make_campaign(user), processed_results=3)
    creators = {
        name: make_creator(job, username=name, external_id=f"id-{name}", position=n)
        for n, name in enumerate(["ana", "ben", "cleo"])
    }
    shortlist = services.list_create(owner=user, name="Spring shortlist")
    services.entries_add(creator_list=shortlist, actor=user, creators=[creators["ana"]])
    services.entries_add(creator_list=shortlist, actor=user, creators=[creators["ben"]])
    ben = shortlist.entries.get(external_id="id-ben")
    services.entry_update(entry=ben, actor=user, status="contacted")
    return job, shortlist


def table_names(page: str) -> list[str]:
    return [name for name in ("ana", "ben", "cleo") if f'data-creator="{name}"' in page]


def test_rows_show_which_creators_are_listed_or_contacted(auth_client, search):
    job, _ = search
    page = auth_client.get(f"/searches/{job.pk}/").content.decode()
    assert table_names(page) == ["ana", "ben", "cleo"]
    assert page.count('<span class="badge outreach-listed"') == 1
    assert "In “Spring shortlist”</span>" in page
    assert page.count('<span class="badge outreach-contacted"') == 1
    assert page.count('class="outreach-pick"') == 3
    assert 'id="outreach-bulk"' in page


def test_another_campaign_shows_the_marks_of_creators_listed_from_this_one(
    auth_client, user, search
):
    """A creator is one person across campaigns: listed or contacted from one campaign's search,
    marked in another campaign's view too, which has the same bulk form."""
    other = make_campaign(user, name="Autumn")
    later = make_job(user, other, keywords=["trail"], processed_results=3)
    for n, name in enumerate(["ana", "ben", "cleo"]):
        make_creator(later, username=name, external_id=f"id-{name}", position=n)
    page = auth_client.get(f"/campaigns/{other.pk}/creators/").content.decode()
    assert table_names(page) == ["ana", "ben", "cleo"]
    assert page.count('<span class="badge outreach-listed"') == 1
    assert page.count('<span class="badge outreach-contacted"') == 1
    assert page.count('class="outreach-pick"') == 3
    assert 'id="outreach-bulk"' in page


@pytest.mark.parametrize(
    ("listed", "names", "chip"),
    [
        ("hide", ["cleo"], "Hiding creators in my lists"),
        ("hide_contacted", ["ana", "cleo"], "Hiding contacted creators"),
    ],
)
def test_the_listed_filter_hides_them_on_pages_and_in_the_api(
    auth_client, user, search, listed, names, chip
):
    job, _ = search
    page = auth_client.get(f"/searches/{job.pk}/", {"listed": listed}).content.decode()
    assert table_names(page) == names
    assert chip in page
    api = APIClient()
    api.force_authenticate(user)
    items = api.get(f"/api/jobs/{job.pk}/creators/", {"listed": listed}).json()["results"]
    assert [i["creator"]["username"] for i in items] == names


def test_a_bad_listed_value_is_a_400(user, search):
    job, _ = search
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/jobs/{job.pk}/creators/", {"listed": "maybe"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"listed": ["Use hide or hide_contacted."]}


@pytest.mark.usefixtures("search")  # the owner's lists, which must not show here
def test_another_users_lists_change_nothing(client, other_user):
    mine = make_job(other_user, make_campaign(other_user))
    make_creator(mine, username="ana", external_id="id-ana")
    client.force_login(other_user)
    page = client.get(f"/searches/{mine.pk}/", {"listed": "hide"}).content.decode()
    assert table_names(page) == ["ana"]
    assert "outreach-listed" not in page


def test_the_creator_panel_says_contacted_and_offers_the_lists(auth_client, search):
    job, _ = search
    ben = job.creators.get(username="ben")
    page = auth_client.get(f"/creators/{ben.pk}/").content.decode()
    assert '<span class="badge outreach-contacted"' in page
    assert ">Contacted</span>" in page
    assert '<button type="submit" class="button secondary small">Add to list</button>' in page
