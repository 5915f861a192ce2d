"""The export formats, on every database's road."""

import io

from openpyxl import load_workbook


def xlsx_rows(data):
    """The rows of an xlsx export's sheet, read back by openpyxl in read-only mode: tuples of cell values,
    each as long as the header (a row ends at its last cell that has a value)."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        assert workbook.sheetnames == ["events"]
        rows = [tuple(row) for row in workbook["events"].iter_rows(values_only=True)]
        width = len(rows[0])
        return [row + (None,) * (width - len(row)) for row in rows]
    finally:
        workbook.close()
