"""/scim/v2/: the organization is the bearer token's (identity/scim.py)."""

from django.urls import path

from identity import scim

urlpatterns = [
    path("ServiceProviderConfig", scim.ServiceProviderConfig.as_view(), name="scim_service_provider_config"),
    path("Users", scim.Users.as_view(), name="scim_users"),
    path("Users/<str:scim_id>", scim.User.as_view(), name="scim_user"),
]
