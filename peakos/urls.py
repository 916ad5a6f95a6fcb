"""URL configuration.

Everything that belongs to one organization lives under ``/o/<org_slug>/``
(``org_patterns``); TenantMiddleware resolves the slug and scopes the request.
Apps add their organization pages by appending an ``include`` to ``org_patterns``.
Public pages (login, survey links, invitations) name their tenant by token.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from identity import views as identity_views
from identity.forms import PasswordLoginForm
from leadership import views as leadership_views
from peakos import api_token_views, mfa_views, ops_views, views
from peakos.lockout import client_ip, invitation_token, posted_email, throttle
from surveys import views as survey_views

org_patterns = [
    path("", views.org_home, name="org_home"),
    path("settings/", views.org_settings, name="org_settings"),
    path("settings/export/", views.org_export, name="org_export"),
    path("settings/delete/", views.org_delete, name="org_delete"),
    path("settings/sso/", include("identity.urls")),
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("manage/", include("peakos.orgadmin.urls")),
    path("api-tokens/", api_token_views.api_tokens, name="api_tokens"),
    path("api-tokens/<int:api_token_id>/revoke/", api_token_views.api_token_revoke, name="api_token_revoke"),
    path("api-tokens/revoke/", api_token_views.api_tokens_revoke_bulk, name="api_tokens_revoke_bulk"),
    path("surveys/", include("surveys.urls")),
    path("reviews/", include("reviews.urls")),
    path("rhythm/", include("rhythm.urls")),
    path("leadership/", include("leadership.urls")),
    path("insights/", include("insights.dashboards.urls")),
    path("signals/", include("insights.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("dev/mail/", ops_views.dev_mail, name="dev_mail"),
    path("dev/mail/<str:mail_id>/", ops_views.dev_mail_detail, name="dev_mail_detail"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=PasswordLoginForm),
        name="login",
    ),
    # Django's logout, then the identity provider's when the session came from single sign-on.
    path("accounts/logout/", identity_views.LogoutView.as_view(), name="logout"),
    # Single sign-on (identity/): public, before any organization is chosen. The parameter is not
    # ``org_slug`` on purpose: TenantMiddleware would ask a login of whoever comes to log in.
    path("accounts/sso/", identity_views.sso_discover, name="sso_discover"),
    path("o/<slug:sso_slug>/login/", identity_views.sso_login, name="sso_login"),
    path("o/<slug:sso_slug>/login/callback/", identity_views.sso_callback, name="sso_callback"),
    # Password reset and invitation acceptance never authenticate, so the login lockout does not
    # cover them: their POSTs are throttled per address and per e-mail / invitation (peakos/lockout.py).
    path(
        "accounts/password_reset/",
        throttle(
            "password-reset",
            [(client_ip, "PASSWORD_RESET_RATE_PER_ADDRESS"), (posted_email, "PASSWORD_RESET_RATE_PER_EMAIL")],
        )(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/mfa/", mfa_views.overview, name="mfa"),
    path("accounts/mfa/setup/", mfa_views.enrol, name="mfa_enrol"),
    path("accounts/mfa/verify/", mfa_views.verify, name="mfa_verify"),
    path("accounts/mfa/recovery-codes/", mfa_views.recovery_codes, name="mfa_recovery_codes"),
    path("accounts/mfa/disable/", mfa_views.disable, name="mfa_disable"),
    path("accounts/language/", views.account_language, name="account_language"),
    path("jsi18n/<str:lang>/", views.javascript_catalog, name="javascript_catalog"),
    path("signup/", include("accounts.urls")),
    path(
        "invite/<str:token>/",
        throttle(
            "invitation",
            [(client_ip, "INVITATION_RATE_PER_ADDRESS"), (invitation_token, "INVITATION_RATE_PER_INVITATION")],
        )(views.accept_invitation),
        name="accept_invitation",
    ),
    path("s/<str:token>/", survey_views.answer, name="survey_answer"),
    path("s/<str:token>/privacy/", survey_views.privacy, name="survey_privacy"),
    path("privacy/", survey_views.privacy, name="privacy"),
    path("l/<str:token>/", leadership_views.answer, name="feedback_answer"),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path("api/", include("peakos.api_urls")),
    # SCIM 2.0 provisioning (identity/scim.py): the bearer token names the organization.
    path("scim/v2/", include("identity.scim_urls")),
    path("admin/", admin.site.urls),
]

# Under /api/ errors raised before any view still answer in the API's JSON error body; a
# database outage raised outside a view is the friendly 503 first (peakos/overload.py, which
# hands every other error to peakos.api_base.server_error).
handler400 = "peakos.api_base.bad_request"
handler500 = "peakos.overload.server_error"
