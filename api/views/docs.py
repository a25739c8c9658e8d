"""The OpenAPI schema and its browsable docs (Swagger UI from drf-spectacular-sidecar: no CDN).

The docs page is the split variant: its start-up script is a separate request to the same URL
(`?script`), so the page holds no inline script and the portal's strict CSP stands unchanged.
"""
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class SchemaView(SpectacularAPIView):
    """OpenAPI 3 (YAML; `?format=json` for JSON), for signed-in users and token holders."""


class DocsView(SpectacularSwaggerSplitView):
    template_name = "api/docs.html"
    url_name = "api:schema"
    title = "基层党建台账 API"
