"""Links on a member's page (core.registry member_link): the recruitment record, or the way
into the 转正 steps for a 预备党员 admitted before the portal kept these records."""
from django.db.models import Q
from django.urls import reverse

from accounts.policy import Right, policy_for
from recruitment.models import Applicant


def member_links(member, user) -> list[tuple[str, str]]:
    applicant = Applicant.objects.filter(
        Q(member=member) | Q(id_number=member.id_number)).only("id").first()
    if applicant is not None:
        label = "发展党员纪实（办理转正）" if member.category == "probationary" else "发展党员纪实"
        return [(label, reverse("recruitment:applicant-detail", args=[applicant.pk]))]
    if member.category == "probationary" and member.status == "normal" and \
            policy_for(user).allows(Right.CHANGE, member.branch):
        return [("办理转正（转正申请、支部大会讨论、上级党委审批）",
                 reverse("recruitment:adopt", args=[member.pk]))]
    return []
