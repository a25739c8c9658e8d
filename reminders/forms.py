from django import forms

from reminders.models import Preference


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label="每天有新提醒时发邮件（每天至多一封）", required=False)
    digest_frequency = forms.ChoiceField(label="下级党组织待办汇总", choices=Preference.Frequency.choices,
                                         widget=forms.RadioSelect)
