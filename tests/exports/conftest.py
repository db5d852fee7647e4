import csv
import io

import pytest

BOM = b"\xef\xbb\xbf"


def read_csv(content: bytes) -> list[list[str]]:
    """The rows of a downloaded CSV (BOM stripped), read back with the csv module."""
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@pytest.fixture
def download(auth_client):
    """GET the export with these query parameters; return (response, rows)."""

    def get(client=None, **params):
        response = (client or auth_client).get("/api/export/csv", params)
        assert response.status_code == 200, response.content
        return response, read_csv(b"".join(response.streaming_content))

    return get
