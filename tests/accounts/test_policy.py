"""The one policy (accounts.policy): every right of every persona on the district's organizations."""
import pytest

from accounts.policy import Right, policy_for
from branches.access import get_org
from branches.models import Organization

# persona → right → the codes where it holds (district: 1000 → 1100 → 1101 (1101-1), 1102; 1200 → 1201)
ALL = {"1000", "1100", "1101", "1101-1", "1102", "1200", "1201"}
EXPECTED = {
    "staff": {right: ALL for right in Right},
    "admin": {
        Right.SEE: {"1100", "1101", "1101-1", "1102"},
        Right.CHANGE: {"1100", "1101", "1101-1", "1102"},
        Right.REVEAL_ID: {"1100", "1101", "1101-1", "1102"},
        Right.STRUCTURE: {"1101", "1101-1", "1102"},
        Right.REVIEW: {"1101", "1101-1", "1102"},
        Right.COMPILE: {"1100", "1101", "1101-1", "1102"},
        Right.MANAGE_ACCOUNTS: {"1100", "1101", "1101-1", "1102"},
    },
    "secretary": {
        Right.SEE: {"1101", "1101-1"},
        Right.CHANGE: {"1101", "1101-1"},
        Right.REVEAL_ID: {"1101", "1101-1"},
        Right.STRUCTURE: {"1101-1"},
        Right.REVIEW: {"1101-1"},
        Right.COMPILE: set(),
        Right.MANAGE_ACCOUNTS: set(),
    },
    "auditor": {right: set() for right in Right} | {Right.SEE: {"1100", "1101", "1101-1", "1102"}},
    "nobody": {right: set() for right in Right},
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
@pytest.mark.parametrize("right", list(Right))
def test_each_right_holds_exactly_where_the_roles_reach(persona, right, personas):
    user = getattr(personas, persona)
    policy = policy_for(user)

    by_allows = {o.code for o in Organization.objects.all() if policy.allows(right, o)}
    by_query = set(Organization.objects.allowed(user, right).values_list("code", flat=True))

    assert by_allows == EXPECTED[persona][right]
    assert by_query == by_allows


def test_roles_are_read_once_per_user_object(personas, django_assert_num_queries):
    user = personas.admin
    with django_assert_num_queries(1):
        policy = policy_for(user)
        for right in Right:
            policy.scope(right)
        assert policy_for(user) is policy


def test_an_object_comes_back_with_its_rights(personas, district):
    org, rights = get_org(personas.secretary, code="1101")

    assert org == district.b1
    assert rights.see and rights.change and rights.reveal_id
    assert not (rights.review or rights.structure or rights.compile or rights.manage_accounts)


def test_a_role_held_inside_another_adds_nothing_and_takes_nothing_away(personas, district):
    """An admin of 1100 who is also secretary of 1101 still reviews 1101 (a strict right of 1100)."""
    from accounts.actions import grant_role

    grant_role(personas.admin.username, "secretary", district.b1)
    user = type(personas.admin).objects.get(pk=personas.admin.pk)

    assert policy_for(user).allows(Right.REVIEW, district.b1)
    assert not policy_for(user).allows(Right.REVIEW, district.c1)


def test_an_inactive_user_holds_nothing(personas, district):
    personas.staff.is_active = False

    assert Organization.objects.visible_to(personas.staff).count() == 0
    assert not policy_for(personas.staff).allows(Right.SEE, district.top)


def test_upper_levels_grant_no_more_than_they_hold(personas, district):
    assert policy_for(personas.admin).grantable_kinds(district.b1) == [
        "org_admin", "secretary", "auditor"]
    assert policy_for(personas.admin).grantable_kinds(district.b3) == []
    assert policy_for(personas.secretary).grantable_kinds(district.b1) == []
    assert "staff" in policy_for(personas.staff).grantable_kinds(district.b1)
