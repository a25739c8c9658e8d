import re

from django import forms

from reminders.models import Preference

MOBILE = re.compile(r"1[3-9]\d{9}")


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label="每天有新提醒时发邮件（每天至多一封）", required=False)
    sms = forms.BooleanField(label="每天有新提醒时发短信（只告知条数，不含内容）", required=False)
    phone = forms.CharField(label="接收短信的手机号", required=False, max_length=20)
    digest_frequency = forms.ChoiceField(label="下级党组织待办汇总", choices=Preference.Frequency.choices,
                                         widget=forms.RadioSelect)

    def clean_phone(self):
        phone = re.sub(r"[\s-]", "", self.cleaned_data["phone"] or "")
        if phone and not MOBILE.fullmatch(phone):
            raise forms.ValidationError("请填写 11 位手机号码，如 13812345678。")
        return phone

    def clean(self):
        data = super().clean()
        if data.get("sms") and not data.get("phone"):
            self.add_error("phone", "选择短信提醒时，请填写接收短信的手机号。")
        return data
