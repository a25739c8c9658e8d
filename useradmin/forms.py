from django import forms

from accounts.models import Role
from accounts.policy import policy_for
from useradmin.scope import organizations_for


def _role_choices(user):
    kinds = Role.Kind.choices if policy_for(user).is_staff else [
        (k, label) for k, label in Role.Kind.choices if k != Role.Kind.STAFF]
    return [("", "请选择角色")] + list(kinds)


class _OrgField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.code}）"


class RoleForm(forms.Form):
    kind = forms.ChoiceField(label="角色")
    organization = _OrgField(label="党组织", queryset=None, required=False,
                             empty_label="请选择党组织（组织部管理员不选）")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _role_choices(user)
        self.fields["organization"].queryset = organizations_for(user).exclude(
            kind="group").order_by("path")


class AccountForm(RoleForm):
    username = forms.CharField(label="用户名", max_length=150,
                               help_text="登录用，建议用拼音或工号，不能有空格。")
    name = forms.CharField(label="姓名", max_length=150)
    phone = forms.CharField(label="手机", max_length=20, required=False)
    field_order = ["username", "name", "phone", "kind", "organization"]
