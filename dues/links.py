"""A link on a member's page (core.registry member_link): the member's dues and the month they
have paid up to (党费交至), which a transfer's 介绍信 states. For the branch's record keepers."""
from django.urls import reverse

from accounts.policy import Right, policy_for
from dues.queries import paid_up_to


def member_links(member, user) -> list[tuple[str, str]]:
    if not policy_for(user).allows(Right.CHANGE, member.branch):
        return []
    month = paid_up_to(member.pk)
    label = f"党费（交至 {month.label}）" if month else "党费"
    return [(label, reverse("dues:member", args=[member.pk]))]
