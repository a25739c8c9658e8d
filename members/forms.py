"""Forms collect raw values; the rules live in members.validation (shared with the import).

The views hand cleaned_data to the actions, which run check_person and raise ValidationError
keyed by field; `apply_errors` puts those messages next to the fields.
"""
from django import forms
from django.core.exceptions import ValidationError

from branches.models import Organization
from branches.pickers import OrganizationField
from members.models import Member

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=60)
    id_number = forms.CharField(label="公民身份号码", max_length=30)
    sex = forms.ChoiceField(label="性别", required=False, choices=[("", "按身份证号")] + Member.Sex.choices)
    ethnicity = forms.CharField(label="民族", required=False, max_length=30)
    birth_date = forms.DateField(label="出生日期", required=False, widget=DATE,
                                 help_text="留空则按公民身份号码")
    education = forms.CharField(label="学历", required=False, max_length=40)
    category = forms.ChoiceField(label="人员类别", choices=Member.Category.choices)
    joined_on = forms.DateField(label="入党日期", widget=DATE)
    confirmed_on = forms.DateField(label="转正日期", required=False, widget=DATE)
    work_unit = forms.CharField(label="工作单位及职务", required=False, max_length=250)
    phone = forms.CharField(label="联系电话", required=False, max_length=40)
    landline = forms.CharField(label="固定电话", required=False, max_length=40)
    home_address = forms.CharField(label="家庭住址", required=False, max_length=250)
    remarks = forms.CharField(label="备注", required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, editing=False, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # category and 转正 change through recorded actions, not by editing
            del self.fields["category"]
            del self.fields["confirmed_on"]
            self.fields["is_lost_contact"] = forms.BooleanField(label="失联党员", required=False)
            self.fields["lost_contact_on"] = forms.DateField(
                label="失去联系日期", required=False, widget=DATE, help_text="失联党员填写"
            )
            self.fields["party_post"] = forms.CharField(
                label="党内职务", required=False, max_length=40, help_text="书记、副书记、委员等"
            )
            self.fields["reporting_community"] = OrganizationField(
                label="双报到社区党组织", required=False, kinds="parent",
                queryset=Organization.objects.visible_to(user) if user is not None
                else Organization.objects.none(),
                also=Organization.objects.all(),
                help_text="在职党员到社区报到时填写：输入社区党组织名称或编码后从建议中选择。",
            )
            # Opening the form is not a reveal: the number is retyped only to correct it.
            field = self.fields["id_number"]
            field.required = False
            field.help_text = "显示的是隐去中间 8 位的号码；如需更正请填写完整号码，不改或留空则保持不变。"
            self.fields["birth_date"].help_text = "与身份证号的出生日期一同隐去；留空则按公民身份号码。"

    def data_for_actions(self) -> dict:
        data = dict(self.cleaned_data)
        data["category"] = {"full": "正式党员", "probationary": "预备党员"}.get(
            data.get("category"), data.get("category")
        )
        if not data.get("id_number"):
            data.pop("id_number", None)  # left blank on the edit form: unchanged
        return {k: v for k, v in data.items() if k != "group"}


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show an action's ValidationError on the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DatedForm(forms.Form):
    """A life event: its date is typed, never prefilled (出党 or 去世 must not default to today)."""

    field_order = ["on", "until", "to_branch", "destination", "note"]
    on = forms.DateField(label="日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class ExtendForm(DatedForm):
    until = forms.DateField(label="延长预备期至", widget=DATE)


class TransferForm(DatedForm):
    to_branch = OrganizationField(
        label="转入党支部", kinds="branch",
        help_text="输入党支部名称或编码后从建议中选择；本辖区以外的党支部请填写其完整编码。",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["to_branch"]
        branches = Organization.objects.branches()
        field.queryset = branches.visible_to(user) if user is not None else branches.none()
        field.also = branches  # the receiving side accepts (members.actions.transfer_out)


class FlowOutForm(DatedForm):
    destination = forms.CharField(label="外出流向", max_length=200)


# 转正 is not here: it follows 转正申请, 支部大会讨论 and 上级党委审批 (a recruitment record, linked
# from the member's page through core.registry member_link), then members.actions.confirm.
EVENT_FORMS = {
    "extend": ("延长预备期", ExtendForm),
    "transfer": ("组织关系转出", TransferForm),
    "flow_out": ("流出", FlowOutForm),
    "flow_in": ("流入/返回", DatedForm),
    "suspend": ("停止党籍", DatedForm),
    "restore": ("恢复党籍", DatedForm),
    "leave": ("出党", DatedForm),
    "decease": ("去世", DatedForm),
}


def events_for(member: Member) -> list[str]:
    """The life events that make sense for the member's current state."""
    if member.status == Member.Status.SUSPENDED:
        return ["restore", "leave", "decease"]
    if member.status != Member.Status.NORMAL:
        return []
    kinds = []
    if member.category == Member.Category.PROBATIONARY:
        if not member.probation_extended_until:
            kinds += ["extend"]
    kinds += ["transfer", "flow_in" if member.is_mobile else "flow_out", "suspend", "leave", "decease"]
    return kinds
