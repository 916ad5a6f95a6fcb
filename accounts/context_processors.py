from accounts.services import signup_open


def signup(request) -> dict:
    """Whether pages may offer "Create your organization" (the SIGNUP setting)."""
    return {"signup_open": signup_open()}
