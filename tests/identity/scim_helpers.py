"""What the SCIM tests share: an owner's token and a call with it."""

import json

from identity import provisioning

SCIM = "application/scim+json"


def scim_token(tenant) -> str:
    return provisioning.create_scim_token(membership=tenant.memberships["owner"], name="Okta")[1]


def scim_call(client, method, path, raw, body=None):
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type=SCIM)
    return getattr(client, method)(f"/scim/v2/{path}", **kwargs)
