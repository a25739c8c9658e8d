"""The endpoints the api app serves itself (organizations, members, meetings, reports), the
token page and the docs page. Other apps register theirs with `site.api_route` (core.registry)."""
