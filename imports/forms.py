from django import forms

from branches.models import Organization


class UploadForm(forms.Form):
    file = forms.FileField(
        label="选择文件", help_text="支持 .xlsx、.xls、.csv（UTF-8 或 GBK 编码均可）"
    )
    organization = forms.ModelChoiceField(
        label="导入到", queryset=Organization.objects.none(), required=False,
        empty_label="全区（顶层组织）",
    )
    skip_invalid = forms.BooleanField(
        label="跳过有错误的行", required=False,
        help_text="不勾选时：只要有一行出错，就不写入任何数据。",
    )

    def __init__(self, *args, targets, target_required: bool, allow_skip: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = targets
        field.required = target_required
        field.label_from_instance = lambda o: f"{o.code} {o.name}（{o.get_kind_display()}）"
        if target_required:
            field.empty_label = None
        if not allow_skip:
            del self.fields["skip_invalid"]
