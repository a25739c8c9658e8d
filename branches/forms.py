from django import forms

from branches.models import Organization
from branches.pickers import OrganizationField

EDITABLE = [
    "name", "short_name", "kind", "sector", "parent", "founded_on", "dissolved_on", "secretary_name",
    "contact_name", "contact_phone", "has_committee", "committee_elected_on",
]


class OrganizationForm(forms.ModelForm):
    """Create or edit an organization; the parent is chosen among organizations the user may change."""

    parent = OrganizationField(
        label="上级组织", required=False, kinds="parent", right="change",
        help_text="输入上级组织名称或编码后从建议中选择。",
    )

    class Meta:
        model = Organization
        fields = ["code", *EDITABLE]
        widgets = {
            "founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "dissolved_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "committee_elected_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, parents, structure=True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
            parents = parents.exclude(path__startswith=self.instance.path)
        if not structure:  # the upper levels keep these (branches.actions.STRUCTURE_FIELDS)
            for name in ("name", "kind", "parent", "dissolved_on"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "由上级党组织维护。"
        self.fields["parent"].queryset = parents

    def clean(self):
        data = super().clean()
        founded, dissolved = data.get("founded_on"), data.get("dissolved_on")
        if founded and dissolved and dissolved <= founded:
            self.add_error("dissolved_on", "撤销日期应晚于成立日期。")
        return data
