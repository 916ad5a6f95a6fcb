"""/scim/v2/: the organization is the bearer token's (identity/scim.py)."""

from django.urls import path

from identity import scim

urlpatterns = [
    path("ServiceProviderConfig", scim.ServiceProviderConfig.as_view(), name="scim_service_provider_config"),
    path("Users", scim.Users.as_view(), name="scim_users"),
    path("Users/<str:scim_id>", scim.User.as_view(), name="scim_user"),
    path("Groups", scim.Groups.as_view(), name="scim_groups"),
    path("Groups/<str:scim_id>", scim.Group.as_view(), name="scim_group"),
]
