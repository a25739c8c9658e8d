app_name = "community"
urlpatterns = []
