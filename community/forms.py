"""Forms collect raw values; the rules live in community.actions."""
from django import forms

from community.models import Demand

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE = forms.Textarea(attrs={"rows": 2})


class DemandForm(forms.Form):
    received_on = forms.DateField(label="受理日期", widget=DATE)
    source = forms.ChoiceField(label="来源", choices=Demand.Source.choices)
    category = forms.CharField(label="类别", max_length=30,
                               help_text="如环境卫生、物业管理、设施维修；办理时限按类别默认")
    description = forms.CharField(label="诉求内容", widget=forms.Textarea(attrs={"rows": 3}))
    resident_name = forms.CharField(label="群众姓名", max_length=50, required=False)
    resident_phone = forms.CharField(label="联系电话", max_length=30, required=False,
                                     help_text="列表和导出中隐去中间数字")


class DispatchForm(forms.Form):
    to = forms.CharField(label="承办党组织（编码或全称）", max_length=100)
    deadline = forms.DateField(label="办理时限", widget=DATE, required=False,
                               help_text="不填按类别默认天数")
    on = forms.DateField(label="派单日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, widget=NOTE)


class NoteForm(forms.Form):
    on = forms.DateField(label="日期", widget=DATE)
    note = forms.CharField(label="办理情况", widget=NOTE)


class CloseForm(forms.Form):
    on = forms.DateField(label="办结日期", widget=DATE)
    note = forms.CharField(label="办结情况", required=False, widget=NOTE)


class VisitForm(forms.Form):
    result = forms.ChoiceField(label="回访结果", choices=Demand.Visit.choices)
    on = forms.DateField(label="回访日期", widget=DATE)
    note = forms.CharField(label="群众意见", required=False, widget=NOTE)


class ReopenForm(forms.Form):
    on = forms.DateField(label="重办日期", widget=DATE)
    deadline = forms.DateField(label="新的办理时限", widget=DATE, required=False,
                               help_text="不填按类别默认天数")
    note = forms.CharField(label="说明", required=False, widget=NOTE)


class ArchiveForm(forms.Form):
    on = forms.DateField(label="归档日期", widget=DATE)


STEP_FORMS = {
    "dispatch": ("派单", DispatchForm),
    "note": ("记录办理情况", NoteForm),
    "close": ("办结", CloseForm),
    "visit": ("回访", VisitForm),
    "reopen": ("不满意重办", ReopenForm),
    "archive": ("归档", ArchiveForm),
}


class RuleForm(forms.Form):
    category = forms.CharField(label="类别", max_length=30)
    days = forms.IntegerField(label="办理时限（天）", min_value=1, max_value=365)


class RegistrationForm(forms.Form):
    member = forms.TypedChoiceField(label="党员", coerce=int)
    community = forms.CharField(label="报到社区（社区党组织编码或全称）", max_length=100)
    registered_on = forms.DateField(label="报到日期", widget=DATE)
    interests = forms.CharField(label="服务意向", max_length=200, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.name) for m in members]


class PostForm(forms.Form):
    title = forms.CharField(label="服务岗位", max_length=100)
    date = forms.DateField(label="服务日期", widget=DATE)
    places = forms.IntegerField(label="需要人数", min_value=1, max_value=500)
    description = forms.CharField(label="内容", required=False, widget=NOTE)


class ClaimForm(forms.Form):
    registration = forms.TypedChoiceField(label="报到党员", coerce=int)

    def __init__(self, *args, registrations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration"].choices = [(r.pk, r.member.name) for r in registrations]


class ConfirmForm(forms.Form):
    hours = forms.DecimalField(label="服务时长（小时）", min_value=0, max_value=24,
                               decimal_places=1)
    on = forms.DateField(label="确认日期", widget=DATE)
