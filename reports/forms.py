"""Forms of the requirement settings and exemptions."""
from __future__ import annotations

from django import forms

from branches.models import Organization
from branches.pickers import OrganizationField
from core.quarters import Quarter
from reports.models import RULE_KEYS, RequirementRule


def quarter_choices(start: Quarter, count: int = 6):
    quarters, q = [], start
    for _ in range(count):
        quarters.append((str(q), q.label))
        q = q.next()
    return quarters


class RuleVersionForm(forms.Form):
    key = forms.ChoiceField(label="考核要求", choices=[(k, RequirementRule.Key(k).label) for k in RULE_KEYS])
    effective_from = forms.ChoiceField(label="自季度起生效")
    enabled = forms.BooleanField(label="启用", required=False, initial=True)
    period = forms.ChoiceField(label="频次", choices=RequirementRule.Period.choices)
    min_full_members = forms.IntegerField(label="正式党员数下限", min_value=0, max_value=999,
                                          initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].choices = quarter_choices(Quarter.current())

    def clean_effective_from(self):
        return Quarter.parse(self.cleaned_data["effective_from"])


class ExemptionForm(forms.Form):
    branch = OrganizationField(label="党支部", kinds="branch",
                               help_text="输入党支部名称或编码后从建议中选择。")
    quarter = forms.ChoiceField(label="季度")
    key = forms.ChoiceField(
        label="豁免要求", required=False,
        choices=[("", "全部要求")] + [(k, RequirementRule.Key(k).label) for k in RULE_KEYS],
    )
    reason = forms.CharField(label="原因", max_length=200,
                             help_text="如：本季度中期新成立、正在撤销。")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = quarter_choices(Quarter.current().previous(), 4)
        branches = Organization.objects.branches()
        field = self.fields["branch"]
        field.queryset = branches.visible_to(user) if user is not None else branches.none()
        # A code outside the scope still resolves, so that the view answers it with 404 as
        # every other out-of-scope object.
        field.also = branches

    def clean_quarter(self):
        return Quarter.parse(self.cleaned_data["quarter"])
