"""CSV downloads: the page's table, cell for cell, with a name that says what and when."""
from __future__ import annotations

import csv
import io

from flask import Response

from app.reports.pages import Table
from app.reports.periods import Period

# Spreadsheet apps run cells that start with these as formulas (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(cell: str) -> str:
    if cell.startswith(_FORMULA_START) and not _is_number(cell):
        return "'" + cell
    return cell


def _is_number(cell: str) -> bool:
    try:
        float(cell.rstrip("%"))
        return True
    except ValueError:
        return False


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows([_safe(c) for c in row] for row in table.rows)
    return out.getvalue()


def csv_response(page_slug: str, table: Table, period: Period) -> Response:
    name = f"{page_slug}-{table.slug}-{period.first.isoformat()}-{period.last.isoformat()}-{period.granularity}.csv"
    return Response(table_csv(table), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
