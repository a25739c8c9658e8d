"""The organization picker: suggestions from the user's scope only, and what a typed value names."""
import pytest
from django import forms
from django.urls import reverse

from branches.models import Organization
from branches.pickers import OrganizationField


def suggested(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("branches:org-pick"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_secretary_is_offered_only_her_own_branch(client, personas, district):
    page = suggested(client, personas.secretary, q="支部")
    assert "1101 第一社区第一党支部" in page
    assert "1102" not in page and "1201" not in page and "第二社区" not in page


def test_an_upper_level_finds_branches_by_name_or_code(client, personas, district):
    by_name = suggested(client, personas.admin, q="第二党支部", kinds="branch")
    assert "1102 第一社区第二党支部" in by_name and "1101" not in by_name
    by_code = suggested(client, personas.admin, q="110", kinds="branch")
    assert "1101" in by_code and "1102" in by_code and "1100" not in by_code  # 党委 is no branch
    assert "1201" not in suggested(client, personas.admin, q="12")


def test_the_value_of_the_named_field_is_the_query(client, personas, district):
    page = suggested(client, personas.staff, field="transfer-to_branch",
                     **{"transfer-to_branch": "第二社区"})
    assert "1201" in page and "1101" not in page


def test_an_auditor_is_offered_nothing_to_change(client, personas, district):
    assert "<option" not in suggested(client, personas.auditor, q="", right="change")
    assert "1101" in suggested(client, personas.auditor, q="", right="see")


class PickForm(forms.Form):
    org = OrganizationField(label="党组织")


@pytest.mark.parametrize("typed", ["1102", "1102 第一社区第二党支部", "第一社区第二党支部", "第二党支部"])
def test_a_typed_code_name_or_unique_part_names_the_organization(district, typed):
    form = PickForm({"org": typed})
    form.fields["org"].queryset = Organization.objects.branches()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["org"] == district.b2


def test_an_ambiguous_part_or_an_organization_outside_is_refused(district):
    form = PickForm({"org": "党支部"})
    form.fields["org"].queryset = Organization.objects.branches()
    assert not form.is_valid() and "找不到“党支部”" in form.errors["org"][0]
    form = PickForm({"org": "第二社区党支部"})
    form.fields["org"].queryset = Organization.objects.branches().filter(code__startswith="11")
    assert not form.is_valid()


def test_the_wider_set_answers_only_an_exact_code_or_name(district):
    form = PickForm({"org": "1201"})
    form.fields["org"].queryset = Organization.objects.none()
    form.fields["org"].also = Organization.objects.branches()
    assert form.is_valid() and form.cleaned_data["org"] == district.b3
    form = PickForm({"org": "第二社区"})
    form.fields["org"].queryset = Organization.objects.none()
    form.fields["org"].also = Organization.objects.branches()
    assert not form.is_valid()
