"""Accounts from a spreadsheet (用户名, 姓名, 手机, 角色, 党组织编码) through the shared import
flow: every row is checked in the preview (a taken user name, a role beyond what the uploader may
grant, an organization outside the target) and the whole file is created in one transaction by
useradmin.actions.create_accounts, whose initial passwords go on one sheet shown once."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.models import Role
from accounts.policy import Right, policy_for
from branches.models import Organization
from core.errors import ActionRefused
from core.importing import ImportCannotRun, Importer, RowError, RowPlan, counted_result
from tabular.values import normalize_text
from useradmin import actions
from useradmin.scope import check_grantable


class AccountImporter(Importer):
    kind = "accounts"
    title = "账号"
    fields = {
        "username": ["用户名", "登录名", "账号"],
        "name": ["姓名"],
        "phone": ["手机", "手机号", "手机号码", "联系电话"],
        "role": ["角色"],
        "org_code": ["党组织编码", "组织编码", "党组织代码"],
    }
    required_headers = ("username", "name", "role")

    def check_target(self):
        org = self.organization
        if org is None:
            raise ImportCannotRun("请选择账号所属的党组织范围。")
        if self.user is None or not policy_for(self.user).allows(Right.MANAGE_ACCOUNTS, org):
            raise ImportCannotRun(f"您无权管理{org.name}的账号。只有组织部和党组织管理员可以导入账号。")

    def plan_rows(self, records, progress):
        target = self.organization
        codes = {normalize_text(r.get("org_code")) for _, r in records} - {None}
        orgs = {o.code: o for o in Organization.objects.filter(
            code__in=codes, path__startswith=target.path)}
        names = {normalize_text(r.get("username")) for _, r in records} - {None}
        taken = {u.lower() for u in get_user_model().objects.filter(
            username__in=names).values_list("username", flat=True)}
        first_row_of: dict[str, int] = {}
        rows = []
        for row_number, record in records:
            rows.append(self._row(row_number, record, orgs, taken, first_row_of))
        if progress:
            progress(len(rows), len(rows))
        return rows

    def _row(self, row_number, record, orgs, taken, first_row_of) -> RowPlan:
        row = RowPlan(row=row_number, action="create")
        username = normalize_text(record.get("username")) or ""
        name = normalize_text(record.get("name")) or ""
        row.label = f"{name}（{username}）" if username else name
        try:
            actions.check_username(username)
        except ValidationError as exc:
            if username.lower() in taken:
                row.fail(self.column("username"), f"用户名“{username}”已被使用，请换一个。")
            else:
                row.fail(self.column("username"), exc.messages[0])
        if username and username.lower() in first_row_of:
            row.fail(self.column("username"), f"用户名与第 {first_row_of[username.lower()]} 行重复。")
        elif username:
            first_row_of[username.lower()] = row_number
            row.key = username
        if not name:
            row.fail(self.column("name"), "姓名不能为空。")
        try:
            phone = actions.check_phone(normalize_text(record.get("phone")) or "")
        except ValidationError as exc:
            row.fail(self.column("phone"), exc.messages[0])
            phone = ""
        role_text = (normalize_text(record.get("role")) or "").replace(" ", "")
        kind = actions.ROLE_WORDS.get(role_text)
        if kind is None:
            row.fail(self.column("role"), f"角色“{role_text}”无法识别，应为：{'、'.join(Role.Kind.labels)}。")
        code = normalize_text(record.get("org_code"))
        org = None
        if kind is not None and kind != Role.Kind.STAFF:
            org = orgs.get(code) if code else None
            if not code:
                row.fail(self.column("org_code"), "该角色需要填写党组织编码。")
            elif org is None:
                row.fail(self.column("org_code"),
                         f"在{self.organization.name}范围内找不到组织编码为 {code} 的党组织。")
        if kind is not None and (org is not None or kind == Role.Kind.STAFF):
            try:
                check_grantable(kind, org, self.user)
            except ActionRefused as exc:
                row.fail(self.column("role"), exc.message)
        row.values = {"username": username, "name": name, "phone": phone, "kind": kind or "",
                      "role": Role.Kind(kind).label if kind else role_text,
                      "organization": org.pk if org else None,
                      "organization_name": org.name if org else ""}
        return row

    def extra_warnings(self, rows):
        if not any(r.action == "create" for r in rows):
            return []
        return [RowError(None, "", "确认导入后将为每个新账号生成初始密码，只显示一次：请在“账号管理”页打开"
                                   "“初始密码单”打印并分发。各账号首次登录须修改密码。")]

    def apply(self, plan, *, skip_invalid):
        creating = [r for r in plan.rows if r.action == "create"]
        orgs = Organization.objects.in_bulk([r.values["organization"] for r in creating
                                             if r.values["organization"]])
        actions.create_accounts(
            [{**r.values, "organization": orgs.get(r.values["organization"])} for r in creating],
            by=self.user, organization=self.organization)
        return counted_result(plan)
