from django import template

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
