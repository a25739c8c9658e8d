"""Small helpers every app's views share."""
import io
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse

from tabular.writer import new_workbook, write_sheet


def say_refused(request, exc) -> None:
    """Show a refused action or a validation error as one message."""
    if isinstance(exc, ValidationError):
        text = "；".join(exc.messages)
    else:
        text = getattr(exc, "message", str(exc))
    messages.error(request, text)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def wants_xlsx(request) -> bool:
    """A list page answers ?format=xlsx with a workbook of exactly what it shows."""
    return request.GET.get("format") == "xlsx"


def table_download(filename: str, columns, rows, *, title: str, notes=()) -> HttpResponse:
    """One sheet of a page's table (tabular.writer: typed columns, formula-safe text)."""
    wb = new_workbook()
    write_sheet(wb.active, columns, rows, title=title, notes=list(notes))
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
