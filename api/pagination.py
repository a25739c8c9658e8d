from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """?page=N, ?page_size=N (up to 500); a page past the end is 404, a bad size the default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
