"""Token authentication that learns, in the token's own query, whether its user may see unpublished events.

`may_see_unpublished` asks the user's permissions (the admin's view_event or change_event), which Django's
backend reads in two queries (the user's own, the groups'), each request anew. Every API request asks it
(`visible_to`), so the token's query answers it too: one query for the token, its user and that.
"""

from django.contrib.auth.models import Group, Permission, User
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from ..models import SEES_UNPUBLISHED, UNPUBLISHED_PERMISSIONS


def sees_unpublished(user_ref):
    """Whether the user `user_ref` (an OuterRef) holds one of the permissions, directly or through a group."""
    permissions = Permission.objects.filter(
        content_type__app_label="events", codename__in=[name.split(".")[1] for name in UNPUBLISHED_PERMISSIONS]
    )
    direct = User.user_permissions.through.objects.filter(user_id=user_ref, permission__in=permissions)
    grouped = Group.permissions.through.objects.filter(group__user=user_ref, permission__in=permissions)
    return Exists(direct) | Exists(grouped)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        tokens = model.objects.select_related("user").annotate(sees=sees_unpublished(OuterRef("user_id")))
        try:
            token = tokens.get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        setattr(token.user, SEES_UNPUBLISHED, token.user.is_superuser or token.sees)
        return (token.user, token)
