"""Token authentication that learns, in the token's own query, whether its user may see unpublished events.

`may_see_unpublished` asks the user's permissions (the admin's view_event or change_event), which Django's
backend reads in two queries (the user's own, the groups'), each request anew. Every API request asks it
(`visible_to`), so the token's query answers it too: one query for the token, its user and that.
"""

import functools

from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from ..models import SEES_UNPUBLISHED, UNPUBLISHED_PERMISSIONS


@functools.cache
def sees_unpublished_sql():
    """SQL: whether the token's user holds one of the permissions, directly or through a group. Written once
    as text: made by the ORM, its two subqueries cost more to compile each request than the queries saved."""
    permission, content_type = Permission._meta.db_table, ContentType._meta.db_table
    held = (
        f"JOIN {permission} p ON p.id = x.permission_id JOIN {content_type} ct ON ct.id = p.content_type_id "
        f"WHERE ct.app_label = 'events' AND p.codename IN "
        f"({', '.join(repr(name.split('.')[1]) for name in UNPUBLISHED_PERMISSIONS)})"
    )
    user = f'"{Token._meta.db_table}"."user_id"'
    direct = f"SELECT 1 FROM {User.user_permissions.through._meta.db_table} x {held} AND x.user_id = {user}"
    grouped = (
        f"SELECT 1 FROM {Group.permissions.through._meta.db_table} x "
        f"JOIN {User.groups.through._meta.db_table} ug ON ug.group_id = x.group_id {held} AND ug.user_id = {user}"
    )
    return f"(EXISTS ({direct}) OR EXISTS ({grouped}))"


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        sees = RawSQL(sees_unpublished_sql(), [], output_field=BooleanField())
        tokens = model.objects.select_related("user").annotate(sees=sees)
        try:
            token = tokens.get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        setattr(token.user, SEES_UNPUBLISHED, bool(token.user.is_superuser or token.sees))
        return (token.user, token)
