from django.urls import path

from accounts import views
from peakos.lockout import client_ip, posted_email, throttle

# Signup and resend e-mail whatever address is typed: their POSTs are throttled per client
# address and per e-mail address (SIGNUP_RATE_PER_*), so the form cannot be used to flood an inbox.
signup_throttle = throttle("signup", [(client_ip, "SIGNUP_RATE_PER_ADDRESS"), (posted_email, "SIGNUP_RATE_PER_EMAIL")])

urlpatterns = [
    path("", signup_throttle(views.signup), name="signup"),
    path("sent/", views.signup_sent, name="signup_sent"),
    path("resend/", signup_throttle(views.signup_resend), name="signup_resend"),
    path("verify/<str:token>/", views.signup_verify, name="signup_verify"),
]
