"""Links on a member's page to the records the yearly cycle keeps about them. They cost no
query: the member's own state says which registers hold them."""
from django.urls import reverse

from members.models import Member


def member_links(member, user) -> list[tuple[str, str]]:
    links = []
    if member.status == Member.Status.TRANSFERRED_OUT:
        links.append(("组织关系介绍信", f"{reverse('cycle:letters')}?org={member.branch.code}"))
    if member.is_mobile:
        links.append(("流出党员登记", f"{reverse('cycle:outflows')}?org={member.branch.code}"))
    return links
