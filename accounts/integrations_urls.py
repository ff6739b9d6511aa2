"""Pages for integrators under the account area: API tokens and webhooks.

A namespace of its own ("integrations") beside "accounts", mounted at the site root.
"""

from django.urls import path

from . import integrations_views as views

app_name = "integrations"

urlpatterns = [
    path("account/api-tokens/", views.api_tokens, name="api_tokens"),
    path("account/api-tokens/new/", views.api_token_create, name="api_token_create"),
    path("account/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("account/webhooks/", views.webhook_list, name="webhooks"),
    path("account/webhooks/new/", views.webhook_create, name="webhook_create"),
    path("account/webhooks/<int:pk>/", views.webhook_detail, name="webhook"),
    path("account/webhooks/<int:pk>/secret/", views.webhook_secret, name="webhook_secret"),
    path("account/webhooks/<int:pk>/disable/", views.webhook_disable, name="webhook_disable"),
    path("account/webhooks/<int:pk>/enable/", views.webhook_enable, name="webhook_enable"),
    path("account/webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
]
