from django.urls import path

from kent360.media import views

app_name = "media"

urlpatterns = [
    path("", views.articles, name="articles"),
    path("articles/<int:article_id>/", views.article, name="article"),
    path("articles/<int:article_id>/tone/", views.article_tone, name="article_tone"),
    path("articles/<int:article_id>/tekzip/", views.article_rebuttal, name="article_rebuttal"),
    path("stories/", views.stories, name="stories"),
    path("stories/<int:story_id>/", views.story, name="story"),
    path("sources/", views.sources, name="sources"),
    path("sources/new/", views.source_new, name="source_new"),
    path("sources/<int:source_id>/", views.source_edit, name="source_edit"),
    path("sources/<int:source_id>/fetch/", views.source_fetch_now, name="source_fetch"),
    path("fetch/", views.fetch_url, name="fetch_url"),
    path("upload/", views.upload, name="upload"),
    path("watch/", views.watch, name="watch"),
    path("watch/<int:entity_id>/", views.watch_edit, name="watch_edit"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:rule_id>/toggle/", views.alert_rule_toggle, name="alert_rule_toggle"),
    path("digest/", views.digest, name="digest"),
    path("digest/document/", views.digest_html, name="digest_html"),
    path("digest/pdf/", views.digest_pdf, name="digest_pdf"),
    path("tekzip/", views.cases, name="cases"),
    path("tekzip/<int:case_id>/", views.case, name="case"),
    path("tekzip/<int:case_id>/<slug:action>/", views.case_act, name="case_act"),
]
