"""Token authentication that learns, in the token's own query, whether its user may see unpublished events.

`may_see_unpublished` asks the user's permissions (the admin's view_event or change_event), which Django's
backend reads in two queries (the user's own, the groups'), each request anew. Every API request asks it
(`visible_to`), so the token's query answers it too: one query for the token, its user and that. On
PostgreSQL that query is a prepared statement (`statements.py`): planning its joins cost the backend ten
times what running it does, and building it with the ORM most of the Python of a detail's request.
"""

import functools

from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions
from rest_framework.authtoken.models import Token

from ..models import SEES_UNPUBLISHED, UNPUBLISHED_PERMISSIONS
from .statements import Statement


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


@functools.cache
def token_statement():
    """The token's row, its user's and `sees`, by the token's key."""
    user_model = Token._meta.get_field("user").related_model
    token, user = Token._meta.db_table, user_model._meta.db_table
    columns = [f'"{token}"."{field.column}"' for field in Token._meta.concrete_fields]
    columns += [f'"{user}"."{field.column}"' for field in user_model._meta.concrete_fields]
    sql = (
        f'SELECT {", ".join(columns)}, {sees_unpublished_sql()} FROM "{token}" '
        f'JOIN "{user}" ON "{user}"."id" = "{token}"."user_id" WHERE "{token}"."key" = %s'
    )
    return Statement("chancery_token", sql, ["text"])


def read_token(key):
    """The token of `key` with its `user` set and `sees` (bool) read in one prepared query, or None. On
    PostgreSQL only: its columns come as the models hold them, no converter needed."""
    user_model = Token._meta.get_field("user").related_model
    token_fields = Token._meta.concrete_fields
    user_fields = user_model._meta.concrete_fields
    with connections[router.db_for_read(Token)].cursor() as cursor:
        row = token_statement().execute(cursor, [key]).fetchone()
    if row is None:
        return None
    db = cursor.db.alias
    token = Token.from_db(db, [field.attname for field in token_fields], row[: len(token_fields)])
    user = user_model.from_db(db, [field.attname for field in user_fields], row[len(token_fields) : -1])
    token.user = user
    token.sees = row[-1]
    return token


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        if connections[router.db_for_read(model)].vendor == "postgresql" and model is Token:
            token = read_token(key)
        else:
            sees = RawSQL(sees_unpublished_sql(), [], output_field=BooleanField())
            try:
                token = model.objects.select_related("user").annotate(sees=sees).get(key=key)
            except model.DoesNotExist:
                token = None
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        setattr(token.user, SEES_UNPUBLISHED, bool(token.user.is_superuser or token.sees))
        return (token.user, token)


class ModelPermissionsOrAnonReadOnly(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """DRF's, without making the view's queryset for a method that needs no permission (GET, HEAD, OPTIONS):
    DRF builds it only to name the model in the permissions a read needs, none, which cost a list's request
    its queryset twice (the events' documents, annotations and all)."""

    def has_permission(self, request, view):
        if self.perms_map.get(request.method) == [] and not self.authenticated_users_only:
            return bool(request.user)
        return super().has_permission(request, view)
