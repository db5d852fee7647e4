import csv
import io

import openpyxl
import pytest

BOM = b"\xef\xbb\xbf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def read_csv(content: bytes) -> list[list[str]]:
    """The rows of a downloaded CSV (BOM stripped), read back with the csv module."""
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def open_xlsx(content: bytes):
    """The only sheet of a downloaded workbook, read back with openpyxl."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Creators"]
    return workbook["Creators"]


def read_xlsx(content: bytes) -> list[list]:
    """The rows of a downloaded workbook as typed values (an empty cell is None)."""
    return [list(row) for row in open_xlsx(content).iter_rows(values_only=True)]


@pytest.fixture
def download(auth_client):
    """GET the CSV export with these query parameters; return (response, rows)."""

    def get(client=None, **params):
        response = (client or auth_client).get("/api/export/csv", params)
        assert response.status_code == 200, response.content
        return response, read_csv(b"".join(response.streaming_content))

    return get


@pytest.fixture
def download_xlsx(auth_client):
    """GET the XLSX export with these query parameters; return (response, sheet)."""

    def get(client=None, **params):
        response = (client or auth_client).get("/api/export/xlsx", params)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == XLSX
        return response, open_xlsx(b"".join(response.streaming_content))

    return get
