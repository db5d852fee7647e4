import pytest

from fake_scrapecreators.server import FakeScrapeCreatorsServer


@pytest.fixture
def chaos_server():
    """A fake ScrapeCreators server of its own (the chaos config must not leak to other tests)."""
    server = FakeScrapeCreatorsServer(host="127.0.0.1", port=0).start()
    yield server
    server.stop()
