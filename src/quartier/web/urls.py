from django.urls import URLPattern, path

from quartier.web import views

app_name = "web"

urlpatterns: list[URLPattern] = [
    path("", views.start, name="start"),
    path("gebiete/<slug:level>.geojson", views.area_geojson_view, name="area-geojson"),
    path("barrierefreiheit/", views.accessibility, name="accessibility"),
]
