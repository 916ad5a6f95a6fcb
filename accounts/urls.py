from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.signup, name="signup"),
    path("sent/", views.signup_sent, name="signup_sent"),
    path("resend/", views.signup_resend, name="signup_resend"),
    path("verify/<str:token>/", views.signup_verify, name="signup_verify"),
]
