"""An ID number registered elsewhere: what to say about it to whom, audited."""
from __future__ import annotations

from django.core.exceptions import ValidationError

from accounts.models import audit
from branches.models import Organization
from tabular.values import mask_id_number

ID_CLASH = "member.id_clash"
ID_TAKEN = ("该公民身份号码已有登记，不能在此登记。请核对号码；如系组织关系转入，"
            "请由其所在党组织办理组织关系转接。")


def transfer_message(branch_name: str) -> str:
    return f"该党员组织关系在{branch_name}，请办理组织关系转接。"


class ClashNames:
    """What to say about ID numbers registered in another branch: that branch's name only to those
    who may see it, otherwise the one sentence any clash gets (so no answer tells whether, or
    where, the number belongs to a party member). `record` audits the lookups made."""

    def __init__(self, by, *, at: Organization | None):
        self.by, self.at = by, at
        self._visible: dict[int, bool] = {}
        self.numbers: list[str] = []
        self.named = 0

    def message(self, id_number: str, branch_id: int, branch_name: str, named=transfer_message) -> str:
        if branch_id not in self._visible:
            self._visible[branch_id] = self.by is None or Organization.objects.visible_to(
                self.by).filter(pk=branch_id).exists()
        self.numbers.append(id_number)
        if self._visible[branch_id]:
            self.named += 1
            return named(branch_name)
        return ID_TAKEN

    def record(self, what: str) -> None:
        """One audit row for the lookups made (in its own transaction when called outside one)."""
        if not self.numbers:
            return
        count = len(self.numbers)
        audit(self.by, ID_CLASH, organization=self.at,
              target=f"{what}：{count} 个公民身份号码已有登记", count=count, named=self.named,
              id_numbers=[mask_id_number(n) for n in self.numbers[:100]])


def _refuse_clash(by, at: Organization, id_number: str, holder: Organization, what: str):
    """Audit the lookup (it stays recorded, though the refusal rolls back the write) and refuse."""
    names = ClashNames(by, at=at)
    message = names.message(id_number, holder.pk, holder.name)
    names.record(what)
    raise ValidationError({"id_number": [message]})
