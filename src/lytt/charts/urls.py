from django.urls import path

from lytt.charts import views

app_name = "charts"
urlpatterns = [
    path("charts/play/", views.play, name="play"),
]
