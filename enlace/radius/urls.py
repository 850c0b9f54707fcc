app_name = "radius"

urlpatterns = []
