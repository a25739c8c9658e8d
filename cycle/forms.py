"""Forms of the yearly cycle's pages. They parse input; the rules live in cycle.actions."""
from __future__ import annotations

from django import forms
from django.utils import timezone

from activities.importer import NAME_SEPARATORS
from branches.models import Organization
from branches.pickers import OrganizationField
from cycle.models import CommitteeSeat, YearlyRequirement
from cycle.rules import rule
from members.models import Member
from tabular.values import normalize_id_number

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
POST = CommitteeSeat.Post


def _today():
    return timezone.localdate()


def split_names(text: str) -> list[str]:
    return [part for part in NAME_SEPARATORS.split((text or "").strip()) if part]


class CommitteeForm(forms.Form):
    elected_on = forms.DateField(label="选举日期", widget=DATE)
    term_years = forms.IntegerField(label="届期（年）", required=False, min_value=1, max_value=10,
                                    help_text="不填则按组织类别和单位性质：党委、党工委及农村、社区党支部 5 年，其他 3 年")
    secretary = forms.CharField(label="书记", max_length=50)
    deputy = forms.CharField(label="副书记", required=False, help_text="多人用顿号分隔")
    organization = forms.CharField(label="组织委员", required=False)
    publicity = forms.CharField(label="宣传委员", required=False)
    discipline = forms.CharField(label="纪检委员", required=False)
    member = forms.CharField(label="委员", required=False, help_text="多人用顿号分隔")
    note = forms.CharField(label="说明", required=False, max_length=200)

    FIELDS = {"secretary": POST.SECRETARY, "deputy": POST.DEPUTY, "organization": POST.ORGANIZATION,
              "publicity": POST.PUBLICITY, "discipline": POST.DISCIPLINE, "member": POST.MEMBER}

    def seats(self) -> list[tuple[str, str]]:
        return [(post, name) for field, post in self.FIELDS.items()
                for name in split_names(self.cleaned_data.get(field, ""))]


class MemberChoiceForm(forms.Form):
    """A form that names one member of the branch on its roster."""

    member = forms.ModelChoiceField(label="党员", queryset=Member.objects.none())

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.active().filter(branch=branch).order_by("name")


class OutflowForm(MemberChoiceForm):
    destination = forms.CharField(label="外出流向", max_length=200, help_text="如：广东省深圳市南山区")
    fixed_place = forms.BooleanField(label="在固定地点工作生活", required=False, initial=True)
    since = forms.DateField(label="外出日期", widget=DATE)
    certificate_no = forms.CharField(label="流动党员活动证编号", max_length=50, required=False)
    receiving_org = forms.CharField(label="流入地党组织", max_length=200, required=False)
    contact = forms.CharField(label="联系方式", max_length=100, required=False)


class InflowForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=20, required=False)
    home_org = forms.CharField(label="组织关系所在党组织", max_length=200)
    certificate_no = forms.CharField(label="流动党员活动证编号", max_length=50, required=False)
    since = forms.DateField(label="流入日期", widget=DATE)
    contact = forms.CharField(label="联系方式", max_length=100, required=False)

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip()
        if not value:
            return ""
        try:
            return normalize_id_number(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class DateForm(forms.Form):
    on = forms.DateField(label="日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=200, required=False)


def _month_default():
    today = _today()
    return f"{today:%Y-%m}"


class LetterFields(forms.Form):
    valid_days = forms.IntegerField(label="有效期（天）", min_value=1, initial=30)
    dues_paid_to = forms.CharField(label="党费交至（年月）", max_length=7, help_text="如 2026-11")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_days"].max_value = rule("letter_valid_days_max")
        self.fields["valid_days"].initial = rule("letter_valid_days")
        self.fields["valid_days"].help_text = f"默认 {rule('letter_valid_days')} 天，最长 {rule('letter_valid_days_max')} 天"
        self.fields["dues_paid_to"].initial = _month_default()


class LetterOutForm(LetterFields, MemberChoiceForm):
    OUT, INSIDE = "out", "inside"
    kind = forms.ChoiceField(label="转往", choices=[(OUT, "本区以外的党组织"), (INSIDE, "本区其他党支部")],
                             widget=forms.RadioSelect, initial=OUT)
    outside_org = forms.CharField(label="接收党组织名称（转出本区时）", max_length=200, required=False)
    to_code = forms.CharField(label="转入党支部编码（区内转接时）", max_length=20, required=False)
    issued_on = forms.DateField(label="开具日期（即转出日期）", widget=DATE)

    field_order = ["member", "kind", "outside_org", "to_code", "issued_on", "valid_days",
                   "dues_paid_to", "note"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == self.OUT and not (data.get("outside_org") or "").strip():
            self.add_error("outside_org", "转出本区时请填写接收党组织名称。")
        if data.get("kind") == self.INSIDE and not (data.get("to_code") or "").strip():
            self.add_error("to_code", "区内转接时请填写转入党支部编码。")
        return data


class LetterInForm(LetterFields):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="公民身份号码", max_length=20)
    category = forms.ChoiceField(label="人员类别", choices=[("正式党员", "正式党员"), ("预备党员", "预备党员")])
    joined_on = forms.DateField(label="入党日期", widget=DATE)
    confirmed_on = forms.DateField(label="转正日期", widget=DATE, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    outside_org = forms.CharField(label="原所在党组织（开具介绍信的党组织）", max_length=200)
    number = forms.CharField(label="介绍信编号", max_length=30)
    issued_on = forms.DateField(label="介绍信开具日期", widget=DATE)
    received_on = forms.DateField(label="转入日期", widget=DATE)

    field_order = ["name", "id_number", "category", "joined_on", "confirmed_on", "phone",
                   "outside_org", "number", "issued_on", "received_on", "valid_days",
                   "dues_paid_to", "note"]

    def person(self) -> dict:
        d = self.cleaned_data
        data = {"name": d["name"], "id_number": d["id_number"], "category": d["category"],
                "joined_on": d["joined_on"].isoformat()}
        if d.get("confirmed_on"):
            data["confirmed_on"] = d["confirmed_on"].isoformat()
        if d.get("phone"):
            data["phone"] = d["phone"]
        return data


YEARLY_KEYS = YearlyRequirement.Key.choices


def _years(first: int, count: int) -> list[tuple[str, str]]:
    return [(str(y), f"{y}年") for y in range(first, first + count)]


class YearlyRequirementForm(forms.Form):
    key = forms.ChoiceField(label="年度考核要求", choices=YEARLY_KEYS)
    effective_from = forms.TypedChoiceField(label="自年度起生效", coerce=int)
    enabled = forms.BooleanField(label="启用", required=False, initial=True)
    times = forms.IntegerField(label="每年次数", min_value=1, max_value=12, initial=1,
                               error_messages={"min_value": "每年次数应为 1 至 12 次。",
                                               "max_value": "每年次数应为 1 至 12 次。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_from"].choices = _years(_today().year, 3)


class YearlyExemptionForm(forms.Form):
    branch = OrganizationField(label="党支部", kinds="branch",
                               help_text="输入党支部名称或编码后从建议中选择。")
    year = forms.TypedChoiceField(label="年度", coerce=int)
    key = forms.ChoiceField(label="豁免要求", required=False,
                            choices=[("", "全部年度要求"), *YEARLY_KEYS])
    reason = forms.CharField(label="原因", max_length=200, help_text="如：年中新成立、正在撤销。")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years(_today().year - 1, 3)
        self.fields["year"].initial = _today().year
        branches = Organization.objects.branches()
        field = self.fields["branch"]
        field.queryset = branches.visible_to(user) if user is not None else branches.none()
        # A code outside the scope still resolves, so that the view answers it with 404.
        field.also = branches
