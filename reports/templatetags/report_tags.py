from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def pct(value):
    """0.8254 → "82.54%"; None (nothing to divide by) → "—"."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.2f}%"


@register.filter
def sort_value(value):
    """A value for the table sorter: rates and counts as numbers, nothing as -1."""
    return -1 if value is None else value


@register.filter
def get_label(labels, key):
    return labels.get(key, key)


@register.simple_tag
def quarter_calendar(months, year):
    """The quarter's month grids (reports.views.workbench._calendar) as HTML tables.

    Written out in Python rather than as nested template loops: the three grids are about a
    hundred cells, which as template nodes were the largest part of a secretary's home page
    (the page every secretary opens first)."""
    head = "".join(f"<th>{d}</th>" for d in "一二三四五六日")
    tables = []
    for month in months:
        rows = []
        for week in month["weeks"]:
            cells = []
            for d in week:
                classes = ("" if d["in_month"] else "other-month") + (" today" if d["today"] else "")
                links = ""
                if d["in_month"]:
                    links = format_html_join("", '<a class="cal-meeting {}" href="{}" title="{}">{}</a>', (
                        (m.status, reverse("activities:meeting-detail", args=[m.pk]), m.topic,
                         "、".join(k.get_kind_display() for k in m.kinds.all()))
                        for m in d["meetings"]
                    ))
                cells.append(format_html('<td class="{}"><span class="daynum">{}</span>{}</td>',
                                         classes, d["day"].day, links))
            rows.append("<tr>" + "".join(cells) + "</tr>")
        tables.append(format_html(
            '<table class="calendar"><caption>{}年{}月</caption><thead><tr>{}</tr></thead>'
            "<tbody>{}</tbody></table>",
            year, month["month"], mark_safe(head), mark_safe("".join(rows)),
        ))
    return mark_safe("".join(tables))
