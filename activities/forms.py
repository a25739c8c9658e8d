"""Forms for meetings and activities. Attendance rows are read by the view."""
from __future__ import annotations

from django import forms

from activities.models import Activity, Meeting
from branches.models import Organization
from branches.pickers import OrganizationField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MeetingForm(forms.Form):
    organization = forms.ModelChoiceField(label="党组织", queryset=None, empty_label=None)
    kinds = forms.MultipleChoiceField(
        label="会议类型", choices=Meeting.Kind.choices, widget=forms.CheckboxSelectMultiple,
        help_text="一次会议可同时计为多种类型（如支部党员大会、党课、主题党日）。",
    )
    date = forms.DateField(label="会议日期", widget=DATE)
    start_time = forms.TimeField(label="开始时间", required=False, widget=TIME)
    end_time = forms.TimeField(label="结束时间", required=False, widget=TIME)
    place = forms.CharField(label="地点", max_length=200, required=False)
    host = forms.CharField(label="主持人", max_length=50, required=False)
    recorder = forms.CharField(label="记录人", max_length=50, required=False)
    topic = forms.CharField(label="主题", max_length=200)
    agenda = forms.CharField(label="议程", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(
        label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text="可直接粘贴文字；仅保留段落、列表和加粗，其余格式会被清除。",
    )
    resolutions = forms.CharField(label="决议事项", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    lecturer = forms.CharField(label="授课人（党课）", max_length=50, required=False)
    lecture_title = forms.CharField(label="党课题目", max_length=200, required=False)
    study_hours = forms.DecimalField(
        label="计入学时", min_value=0, max_value=99, decimal_places=1, required=False,
        help_text="党课、集中学习按时长填写（党课留空则按起止时间计算），出席党员计入年度学时；其他会议留空。",
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations

    def clean(self):
        data = super().clean()
        kinds = data.get("kinds") or []
        if Meeting.Kind.PARTY_LECTURE in kinds and not data.get("lecturer"):
            self.add_error("lecturer", "党课请填写授课人。")
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "结束时间应晚于开始时间。")
        return data

    @classmethod
    def initial_from(cls, meeting: Meeting) -> dict:
        initial = {name: getattr(meeting, name) for name in (
            "date", "start_time", "end_time", "place", "host", "recorder", "topic", "agenda",
            "minutes", "resolutions", "lecturer", "lecture_title", "study_hours")}
        initial["organization"] = meeting.organization_id
        initial["kinds"] = meeting.kind_values
        return initial


class ReturnForm(forms.Form):
    comment = forms.CharField(label="退回意见", widget=forms.Textarea(attrs={"rows": 3}),
                              max_length=2000)


class ReviewFilterForm(forms.Form):
    """The review queue's filters: one organization's subtree, and how long records have waited."""

    WAITING = [("", "不限"), ("3", "3 天以上"), ("7", "7 天以上"), ("14", "14 天以上"),
               ("30", "30 天以上")]

    org = OrganizationField(label="党组织", required=False, kinds="parent")
    waiting = forms.ChoiceField(label="已等待", choices=WAITING, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.visible_to(user).exclude(
            kind=Organization.Kind.GROUP)


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件", help_text="照片（签到表等）、PDF 或 Office 文档；非必需。")


class ActivityForm(forms.ModelForm):
    organization = forms.ModelChoiceField(label="党组织", queryset=None, empty_label=None)

    class Meta:
        model = Activity
        fields = ["organization", "kind", "date", "title", "description", "counts_as_study"]
        widgets = {"date": DATE, "description": forms.Textarea(attrs={"rows": 4})}
        labels = {"counts_as_study": "计入学时（学习培训类活动）"}

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
