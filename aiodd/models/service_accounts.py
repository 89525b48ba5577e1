"""Models of the Service Accounts API group: users, roles, permissions, orgs and application keys.

Names and fields follow the API reference (``service-accounts-api.txt``); field names are the
wire's snake_case so ``key.data.attributes.name`` reads like the JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import attrs

from .._not_given import NOT_GIVEN, NotGiven
from ._common import UnknownResource

__all__ = [
    "ApplicationKeyCreateAttributes",
    "ApplicationKeyCreateData",
    "ApplicationKeyCreateRequest",
    "ApplicationKeyRelationships",
    "ApplicationKeyResponse",
    "ApplicationKeyResponseIncludedItem",
    "ApplicationKeyResponseMeta",
    "ApplicationKeyResponseMetaPage",
    "ApplicationKeyUpdateAttributes",
    "ApplicationKeyUpdateData",
    "ApplicationKeyUpdateRequest",
    "ApplicationKeysSort",
    "FullApplicationKey",
    "FullApplicationKeyAttributes",
    "LeakedKey",
    "LeakedKeyAttributes",
    "ListApplicationKeysResponse",
    "Organization",
    "OrganizationAttributes",
    "PartialApplicationKey",
    "PartialApplicationKeyAttributes",
    "PartialApplicationKeyResponse",
    "Permission",
    "PermissionAttributes",
    "RelationshipToLeakedKey",
    "RelationshipToLeakedKeyData",
    "RelationshipToOrganization",
    "RelationshipToOrganizationData",
    "RelationshipToOrganizations",
    "RelationshipToPermissionData",
    "RelationshipToPermissions",
    "RelationshipToRoleData",
    "RelationshipToRoles",
    "RelationshipToUser",
    "RelationshipToUserData",
    "RelationshipToUsers",
    "Role",
    "RoleAttributes",
    "RoleResponseRelationships",
    "ServiceAccountCreateAttributes",
    "ServiceAccountCreateData",
    "ServiceAccountCreateRequest",
    "User",
    "UserAttributes",
    "UserRelationships",
    "UserResponse",
    "UserResponseIncludedItem",
    "UserResponseRelationships",
]

ApplicationKeysSort = Literal["created_at", "-created_at", "last4", "-last4", "name", "-name"]

# --- relationships -------------------------------------------------------------------------


@attrs.define
class RelationshipToRoleData:
    id: str | None = None
    type: str = "roles"


@attrs.define
class RelationshipToRoles:
    data: list[RelationshipToRoleData] | None = None


@attrs.define
class RelationshipToPermissionData:
    id: str | None = None
    type: str = "permissions"


@attrs.define
class RelationshipToPermissions:
    data: list[RelationshipToPermissionData] | None = None


@attrs.define
class RelationshipToOrganizationData:
    id: str
    type: str = "orgs"


@attrs.define
class RelationshipToOrganization:
    data: RelationshipToOrganizationData


@attrs.define
class RelationshipToOrganizations:
    data: list[RelationshipToOrganizationData]


@attrs.define
class RelationshipToUserData:
    id: str
    type: str = "users"


@attrs.define
class RelationshipToUser:
    data: RelationshipToUserData


@attrs.define
class RelationshipToUsers:
    data: list[RelationshipToUserData]


@attrs.define
class RelationshipToLeakedKeyData:
    id: str
    type: str = "leaked_keys"


@attrs.define
class RelationshipToLeakedKey:
    """A key's ``leak_information``: ``data`` is ``None`` unless Datadog found the key leaked."""

    data: RelationshipToLeakedKeyData | None = None


# --- users, roles, permissions, orgs, leaked keys ------------------------------------------


@attrs.define
class UserAttributes:
    created_at: datetime | None = None
    disabled: bool | None = None
    email: str | None = None
    handle: str | None = None
    icon: str | None = None
    last_login_time: datetime | None = None
    mfa_enabled: bool | None = None
    modified_at: datetime | None = None
    name: str | None = None
    service_account: bool | None = None
    status: str | None = None
    title: str | None = None
    uuid: str | None = None
    verified: bool | None = None


@attrs.define
class UserResponseRelationships:
    org: RelationshipToOrganization | None = None
    other_orgs: RelationshipToOrganizations | None = None
    other_users: RelationshipToUsers | None = None
    roles: RelationshipToRoles | None = None


@attrs.define
class User:
    attributes: UserAttributes | None = None
    id: str | None = None
    relationships: UserResponseRelationships | None = None
    type: str = "users"


@attrs.define
class RoleAttributes:
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    receives_permissions_from: list[str] | None = None
    user_count: int | None = None


@attrs.define
class RoleResponseRelationships:
    permissions: RelationshipToPermissions | None = None


@attrs.define
class Role:
    attributes: RoleAttributes | None = None
    id: str | None = None
    relationships: RoleResponseRelationships | None = None
    type: str = "roles"


@attrs.define
class PermissionAttributes:
    created: datetime | None = None
    description: str | None = None
    display_name: str | None = None
    display_type: str | None = None
    group_name: str | None = None
    name: str | None = None
    name_aliases: list[str] | None = None
    restricted: bool | None = None


@attrs.define
class Permission:
    attributes: PermissionAttributes | None = None
    id: str | None = None
    type: str = "permissions"


@attrs.define
class OrganizationAttributes:
    created_at: datetime | None = None
    description: str | None = None
    disabled: bool | None = None
    modified_at: datetime | None = None
    name: str | None = None
    public_id: str | None = None
    sharing: str | None = None
    url: str | None = None


@attrs.define
class Organization:
    attributes: OrganizationAttributes | None = None
    id: str | None = None
    type: str = "orgs"


@attrs.define
class LeakedKeyAttributes:
    date: datetime
    leak_source: str | None = None


@attrs.define
class LeakedKey:
    attributes: LeakedKeyAttributes
    id: str
    type: str = "leaked_keys"


UserResponseIncludedItem = Organization | Permission | Role | UnknownResource
ApplicationKeyResponseIncludedItem = User | Role | LeakedKey | UnknownResource


@attrs.define
class UserResponse:
    data: User | None = None
    included: list[UserResponseIncludedItem] | None = None


# --- service account creation --------------------------------------------------------------


@attrs.define
class ServiceAccountCreateAttributes:
    email: str
    service_account: bool = True
    name: str | None = None
    title: str | None = None


@attrs.define
class UserRelationships:
    roles: RelationshipToRoles | None = None


@attrs.define
class ServiceAccountCreateData:
    attributes: ServiceAccountCreateAttributes
    relationships: UserRelationships | None = None
    type: str = "users"


@attrs.define
class ServiceAccountCreateRequest:
    data: ServiceAccountCreateData


# --- application keys ------------------------------------------------------------------------


@attrs.define
class ApplicationKeyRelationships:
    owned_by: RelationshipToUser | None = None
    # Not in the reference but in every recorded key answer; shaped as the official client's
    # RelationshipToLeakedKey (used there for access tokens). Last, so positional use still works.
    leak_information: RelationshipToLeakedKey | None = None


@attrs.define
class FullApplicationKeyAttributes:
    """Attributes of a newly created key. ``key`` is the secret: shown once, never in ``repr``."""

    created_at: datetime | None = None
    key: str | None = attrs.field(default=None, repr=False)
    last4: str | None = None
    last_used_at: datetime | None = None
    name: str | None = None
    scopes: list[str] | None = None


@attrs.define
class FullApplicationKey:
    attributes: FullApplicationKeyAttributes | None = None
    id: str | None = None
    relationships: ApplicationKeyRelationships | None = None
    type: str = "application_keys"


@attrs.define
class ApplicationKeyResponse:
    data: FullApplicationKey | None = None
    included: list[ApplicationKeyResponseIncludedItem] | None = None


@attrs.define
class PartialApplicationKeyAttributes:
    created_at: datetime | None = None
    last4: str | None = None
    last_used_at: datetime | None = None
    name: str | None = None
    scopes: list[str] | None = None


@attrs.define
class PartialApplicationKey:
    attributes: PartialApplicationKeyAttributes | None = None
    id: str | None = None
    relationships: ApplicationKeyRelationships | None = None
    type: str = "application_keys"


@attrs.define
class PartialApplicationKeyResponse:
    data: PartialApplicationKey | None = None
    included: list[ApplicationKeyResponseIncludedItem] | None = None


@attrs.define
class ApplicationKeyResponseMetaPage:
    total_filtered_count: int | None = None


@attrs.define
class ApplicationKeyResponseMeta:
    max_allowed_per_user: int | None = None
    page: ApplicationKeyResponseMetaPage | None = None


@attrs.define
class ListApplicationKeysResponse:
    data: list[PartialApplicationKey] = attrs.Factory(list)
    included: list[ApplicationKeyResponseIncludedItem] | None = None
    meta: ApplicationKeyResponseMeta | None = None


@attrs.define
class ApplicationKeyCreateAttributes:
    name: str
    scopes: list[str] | None = None


@attrs.define
class ApplicationKeyCreateData:
    attributes: ApplicationKeyCreateAttributes
    type: str = "application_keys"


@attrs.define
class ApplicationKeyCreateRequest:
    data: ApplicationKeyCreateData


@attrs.define
class ApplicationKeyUpdateAttributes:
    """What to change; a field left ``NOT_GIVEN`` is not sent. ``scopes=None`` is sent as ``null``."""

    name: str | NotGiven = NOT_GIVEN
    scopes: list[str] | NotGiven | None = NOT_GIVEN


@attrs.define
class ApplicationKeyUpdateData:
    attributes: ApplicationKeyUpdateAttributes
    id: str
    type: str = "application_keys"


@attrs.define
class ApplicationKeyUpdateRequest:
    data: ApplicationKeyUpdateData
