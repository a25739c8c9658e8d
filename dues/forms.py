"""Forms collect raw values; the rules live in dues.actions and dues.rules."""
from django import forms

from core.quarters import Month
from dues.models import Category, Exemption, Payment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH = forms.TextInput(attrs={"placeholder": "2026-11", "inputmode": "numeric"})
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}


class MonthField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MONTH)
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return Month.parse(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class PaymentForm(forms.Form):
    member = forms.TypedChoiceField(label="党员", coerce=int)
    first = MonthField(label="缴费月份（起）")
    last = MonthField(label="缴费月份（止，可空）", required=False)
    amount = forms.DecimalField(label="金额（元）", **MONEY)
    paid_on = forms.DateField(label="缴纳日期", widget=DATE)
    method = forms.ChoiceField(label="方式", choices=Payment.Method.choices)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.name) for m in members]


class BulkForm(forms.Form):
    paid_on = forms.DateField(label="缴纳日期", widget=DATE)
    method = forms.ChoiceField(label="方式", choices=Payment.Method.choices)


class CorrectionForm(forms.Form):
    member = forms.TypedChoiceField(label="党员", coerce=int)
    amount = forms.DecimalField(label="补录金额（元）", **MONEY)
    paid_on = forms.DateField(label="缴纳日期", widget=DATE)
    reason = forms.CharField(label="更正理由", max_length=300)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.name) for m in members]


class BaseForm(forms.Form):
    month = MonthField(label="起始月份")
    category = forms.ChoiceField(label="人员类型", choices=Category.choices)
    base = forms.DecimalField(label="缴费基数（元，在职为税后月收入，离退休为养老金）", required=False,
                              **MONEY)
    fixed_amount = forms.DecimalField(label="月缴纳额（元，农民 0.2–1.0）", required=False, **MONEY)


class ExemptionForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=Exemption.Kind.choices)
    first = MonthField(label="起始月份")
    last = MonthField(label="截止月份")
    amount = forms.DecimalField(label="减交后月缴纳额（元，减交时填写）", required=False, **MONEY)
    reason = forms.CharField(label="理由", max_length=300)


class RatesForm(forms.Form):
    """One field per number of the table in force; saving makes a new version from a month."""

    month = MonthField(label="生效月份")
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        labels = dict(Category.choices)
        for i, line in enumerate(self.lines):
            who = labels[line.category]
            for attr, text in (("upper_bound", "基数上限（元，含）"), ("percent", "比例（%）"),
                               ("fixed_amount", "固定金额（元）"), ("min_amount", "最低（元）"),
                               ("max_amount", "最高（元）")):
                value = getattr(line, attr)
                if value is None:
                    continue
                self.fields[f"{attr}_{i}"] = forms.DecimalField(
                    label=f"{who}：{text}", initial=value, max_digits=12, decimal_places=4,
                    min_value=0)

    def cleaned_lines(self):
        from dataclasses import replace

        return [replace(line, **{attr: self.cleaned_data[f"{attr}_{i}"]
                                 for attr in ("upper_bound", "percent", "fixed_amount",
                                              "min_amount", "max_amount")
                                 if f"{attr}_{i}" in self.cleaned_data})
                for i, line in enumerate(self.lines)]
