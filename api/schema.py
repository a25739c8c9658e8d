"""How the OpenAPI schema describes the API's own pieces (drf-spectacular extensions)."""
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import build_basic_type, build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="HTTP_AUTHORIZATION",
                                                   token_prefix="Token")


class LabelFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "api.serializers.LabelField"

    def map_serializer_field(self, auto_schema, direction):
        return build_basic_type(OpenApiTypes.STR)
