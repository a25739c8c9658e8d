from django import forms

from branches.pickers import OrganizationField


class UploadForm(forms.Form):
    file = forms.FileField(
        label="选择文件", help_text="支持 .xlsx、.xls、.csv（UTF-8 或 GBK 编码均可）"
    )
    organization = OrganizationField(
        label="导入到", required=False, kinds="parent", right="change",
        help_text="输入党组织名称或编码后从建议中选择。",
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
        if not target_required:
            field.help_text = "留空则导入为全区的顶层组织；" + field.help_text
        if not allow_skip:
            del self.fields["skip_invalid"]
