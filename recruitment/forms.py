"""Forms collect raw values; the rules live in recruitment.actions and members.validation."""
from django import forms

from recruitment.models import TimeRule

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApplicantForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=60)
    id_number = forms.CharField(label="公民身份号码", max_length=30)
    work_unit = forms.CharField(label="工作单位及职务", required=False, max_length=200)
    applied_on = forms.DateField(label="递交入党申请书日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label="入党申请书（照片或扫描件，可选）", required=False)


class StepForm(forms.Form):
    """The date of a step and what that step records besides (学时, 编号, people, months)."""

    on = forms.DateField(label="日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label="材料（可选）", required=False)

    def __init__(self, *args, definition, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        if definition.hours:
            self.fields["hours"] = forms.DecimalField(label="集中培训学时", min_value=0,
                                                      max_value=999, decimal_places=1)
        if definition.number_field:
            self.fields["number"] = forms.CharField(label="入党志愿书编号", max_length=30)
        if definition.people:
            role = "培养联系人" if definition.people == "mentor" else "入党介绍人"
            self.fields["person1"] = forms.CharField(label=f"{role}（一）", max_length=50)
            self.fields["person2"] = forms.CharField(label=f"{role}（二）", max_length=50,
                                                     required=False)
        if definition.key == "probation_extended":
            self.fields["months"] = forms.TypedChoiceField(
                label="延长", choices=[(6, "6 个月"), (12, "12 个月")], coerce=int)
        if definition.document:
            self.fields["file"].label = f"{definition.document}（可选）"
        self.order_fields(["on", "hours", "number", "person1", "person2", "months", "note", "file"])

    def options(self) -> dict:
        data = self.cleaned_data
        return {
            "on": data["on"], "note": data.get("note", ""), "hours": data.get("hours"),
            "number": data.get("number", ""), "months": data.get("months"),
            "people": [data.get("person1"), data.get("person2")],
            "upload": data.get("file"),
        }


class DocumentForm(forms.Form):
    file = forms.FileField(label="材料")


class AcceptForm(forms.Form):
    reason = forms.CharField(label="认可理由", max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class StopForm(forms.Form):
    on = forms.DateField(label="日期", widget=DATE)
    reason = forms.CharField(label="原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class RuleForm(forms.Form):
    key = forms.ChoiceField(label="规则", choices=TimeRule.Key.choices)
    effective_from = forms.DateField(label="生效日期", widget=DATE,
                                     help_text="自该日起开始计时的环节适用新规则；此前的不受影响")
    value = forms.IntegerField(label="数值", min_value=1, max_value=600)
    limit = forms.IntegerField(label="上限（仅审批期限）", min_value=1, max_value=600, required=False)
    note = forms.CharField(label="依据或说明", max_length=200, required=False)
