"""The OpenAPI schema validates, the docs page works under the strict CSP with vendored assets,
and an app adds endpoints by registering them (core.registry), without editing api/."""
import json
import re

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework import viewsets
from rest_framework.response import Response

from api import urls as api_urls
from core.registry import Site
from tests.api.conftest import Caller, token_for

pytestmark = pytest.mark.django_db


def test_the_schema_validates_against_the_openapi_3_specification_without_warnings(tmp_path):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))

    schema = yaml.safe_load(path.read_text())
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    for endpoint in ("/api/v1/organizations/", "/api/v1/members/", "/api/v1/meetings/",
                     "/api/v1/meetings/{id}/submit/", "/api/v1/meetings/{id}/attachments/",
                     "/api/v1/reports/"):
        assert endpoint in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_served_schema_is_the_generated_one(personas):
    status, body = Caller(token_for(personas.auditor)).get("/api/schema/", {"format": "json"})

    assert status == 200
    served = json.loads(body)  # application/vnd.oai.openapi+json
    assert served["paths"].keys() == SchemaGenerator().get_schema(public=True)["paths"].keys()


def test_the_docs_page_uses_vendored_assets_and_no_inline_script(personas):
    client = Client()
    client.force_login(personas.secretary)

    response = client.get("/api/docs/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing from a CDN
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) and "<style" not in html
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_the_docs_page_sends_anonymous_people_to_the_login_page():
    response = Client().get("/api/docs/")

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


class ToyViewSet(viewsets.ViewSet):
    def list(self, request):
        return Response({"ok": True})


def test_an_app_adds_endpoints_by_registering_a_route(monkeypatch):
    toy = Site()
    toy.api_route("dues", "tests.api.test_schema_and_registry.ToyViewSet", order=5)
    toy.api_route("applicants", "tests.api.test_schema_and_registry.ToyViewSet",
                  basename="applicant")
    monkeypatch.setattr(api_urls, "site", lambda: toy)

    names = {pattern.name: str(pattern.pattern) for pattern in api_urls.api_patterns()}

    assert names["dues-list"] == "^dues/$" and names["applicant-list"] == "^applicants/$"
    assert "api-root" in names


def test_every_registered_endpoint_is_in_the_root_listing(personas):
    status, root = Caller(token_for(personas.staff)).get("/api/v1/")

    assert status == 200
    assert set(root) >= {"organizations", "members", "meetings", "reports"}
    assert all(url.startswith("http://testserver/api/v1/") for url in root.values())
    assert json.dumps(root)  # plain JSON, no HTML renderer
